import{createRequire as __mlopsCreateRequire}from'node:module';const require=__mlopsCreateRequire(import.meta.url);
import{directory,secret,text}from"./chunk-JPVAG4FU.js";var commonInputs={"working-directory":directory(),"github-token":secret()},registryInputs={"registry-branch":text(),"registry-remote":text()};export{commonInputs,registryInputs};
