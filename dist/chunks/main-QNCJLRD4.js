function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{deploy}from"./chunk-GJAJQBON.js";import"./chunk-MVE573WD.js";import"./chunk-RYDZSGT4.js";import"./chunk-YXDUQLZO.js";import"./chunk-PI7JL3DC.js";import"./chunk-CTDL3ARB.js";import"./chunk-OM4MMLE2.js";export{deploy};
