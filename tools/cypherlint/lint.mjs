// Lints Cypher statements with Neo4j's own Cypher 5 front end (parser and
// semantic analysis).
//
// stdin:  {"model": {"labels": [], "relationshipTypes": [], "propertyKeys": []},
//          "statements": [{"file": "…", "text": "…", "params": ["id"]}]}
//         (a statement without parameters may leave params out)
// stdout: {"findings": [{"file": "…", "line": 1, "column": 1, "message": "…"}]}
//
// Lines and columns are 1-based and count from the start of the text, so they
// are positions in the file. Every finding is a failure: the caller decides
// how to report it. The exit status is non-zero only if the lint itself broke.
//
// One process lints every statement, so that Node and the front end start
// once. The front end takes about 0.3 s a statement; sharing the statements
// out among worker threads was tried and saved no time on two CPUs, for half
// as much CPU time again.

import { builtInSignatures, lintStatement } from './checks.mjs';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const { model, statements } = JSON.parse(await readStdin());
const signatures = builtInSignatures();
const findings = statements.flatMap((statement) => lintStatement(statement, model, signatures));
process.stdout.write(JSON.stringify({ findings }) + '\n');
