function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{context,getOctokit}from"./chunk-LEJTCIHR.js";import"./chunk-SEWEKWCF.js";import"./chunk-MVUN2DFY.js";import"./chunk-2UUWQKX5.js";import"./chunk-OM4MMLE2.js";export{context,getOctokit};
