function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{train}from"./chunk-AAMEZVR6.js";import"./chunk-MV4TTWDQ.js";import"./chunk-SK5XLGUI.js";import"./chunk-RYDZSGT4.js";import"./chunk-JIXGBBMY.js";import"./chunk-CVFFXT7C.js";import"./chunk-CTDL3ARB.js";import"./chunk-OM4MMLE2.js";export{train};
