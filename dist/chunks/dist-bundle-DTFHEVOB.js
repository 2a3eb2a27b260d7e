function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{VERSION,retry}from"./chunk-7QEUGPFJ.js";import"./chunk-MVUN2DFY.js";import"./chunk-DK5AY4CP.js";import"./chunk-OM4MMLE2.js";export{VERSION,retry};
