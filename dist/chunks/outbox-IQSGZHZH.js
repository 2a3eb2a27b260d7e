function require(id){return (require.r??=process.getBuiltinModule("node:module").createRequire(import.meta.url))(id)}
import{outboxPath,renderOutboxMessage,safeFileName,writeFileAtomic,writeOutboxMessage}from"./chunk-3QGYL7HI.js";import"./chunk-OM4MMLE2.js";export{outboxPath,renderOutboxMessage,safeFileName,writeFileAtomic,writeOutboxMessage};
