function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{driftCheck}from"./chunk-P52JBUBN.js";import"./chunk-SK5XLGUI.js";import"./chunk-RYDZSGT4.js";import"./chunk-JIXGBBMY.js";import"./chunk-CVFFXT7C.js";import"./chunk-CTDL3ARB.js";import"./chunk-OM4MMLE2.js";export{driftCheck};
