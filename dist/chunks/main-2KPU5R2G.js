function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{evaluateGate}from"./chunk-ZRCGLTAV.js";import"./chunk-SWWGNYL2.js";import"./chunk-RYDZSGT4.js";import"./chunk-SUOK45HO.js";import"./chunk-QWPF6LRY.js";import"./chunk-M2QE45X6.js";import"./chunk-OM4MMLE2.js";export{evaluateGate};
