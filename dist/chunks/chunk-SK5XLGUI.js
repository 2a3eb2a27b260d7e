function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{directory,secret,text}from"./chunk-JIXGBBMY.js";var commonInputs={"working-directory":directory(),"github-token":secret()},registryInputs={"registry-branch":text(),"registry-remote":text()};export{commonInputs,registryInputs};
