function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
