/**
 * The largest seed: PYTHONHASHSEED must be 0..4294967295, and MLOPS_SEED is kept in the same range
 * so that both can be the same number. Alone in its module: the train entry point imports it
 * for the `seed` input's bounds, and must stay light (the bundle start-up budget).
 */
export const MAX_SEED = 4_294_967_295;
