function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{Octokit}from"./chunk-SEWEKWCF.js";import"./chunk-MVUN2DFY.js";import"./chunk-OM4MMLE2.js";export{Octokit};
