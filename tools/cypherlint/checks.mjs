// The checks of the lint (see lint.mjs): Neo4j's front end and the few checks
// it lacks for this project.

import {
  highlightSyntax,
  lintCypherQuery,
  parseParameters,
  parseStatementsStrs,
  testData,
} from '@neo4j-cypher/language-support';

const CYPHER_VERSION = 'CYPHER 5';

// The package ships the signatures of a Neo4j server's functions and
// procedures (exported as testData). Without them an unknown function such as
// toLowr() passes, and procedure arguments and YIELD columns are not checked.
// APOC and GDS are plugins the service does not install, so they stay out.
export function builtInSignatures() {
  const { functions, procedures } = testData.mockSchema;
  const isPlugin = (name) => name.startsWith('apoc.') || name.startsWith('gds.');
  const keep = (registry, wanted) =>
    Object.fromEntries(Object.entries(registry).filter(([name, signature]) => wanted(name, signature)));
  return {
    functions: { [CYPHER_VERSION]: keep(functions[CYPHER_VERSION], (_, fn) => fn.isBuiltIn) },
    procedures: { [CYPHER_VERSION]: keep(procedures[CYPHER_VERSION], (name) => !isPlugin(name)) },
  };
}

export function lintStatement({ file, text, params = [] }, model, signatures) {
  const schema = {
    ...model,
    ...signatures,
    defaultLanguage: CYPHER_VERSION,
    // lintCypherQuery only asks whether a parameter has a value.
    parameters: Object.fromEntries(params.map((name) => [name, null])),
  };
  const { diagnostics, symbolTables } = lintCypherQuery(text, schema, { consoleCommandsEnabled: false });
  const tokens = new Tokens(text, symbolTables.flat());
  const found = diagnostics
    .map((d) => ({ line: d.range.start.line, column: d.range.start.character, message: d.message }))
    .filter((f) => !tokens.isMapKeyRead(f));
  const reported = new Set(found.map(positionKey));
  const ours = [
    ...checkOneStatement(text),
    ...checkParamsUsed(text, params),
    ...checkNamesAgainstModel(tokens, model),
  ].filter((f) => !reported.has(positionKey(f)));
  return [...found, ...ours]
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .map((f) => ({ file, line: f.line + 1, column: f.column + 1, message: f.message }));
}

// Tokens is the parser's classification of a statement's tokens (comments
// left out), with the types its semantic analysis gave the variables.
class Tokens {
  constructor(text, symbols) {
    this.list = highlightSyntax(text).filter((t) => t.tokenType !== 'comment');
    this.symbols = symbols;
    // Schema commands, such as CREATE INDEX … FOR (v:OrgVersion) ON (v.nameKey),
    // get no symbol table; there a variable written with a label or type is a
    // node or relationship.
    this.labelled = new Set(
      this.list.filter((t, i) => t.tokenType === 'variable' && this.isLabel(i + 2)).map((t) => t.token),
    );
  }

  // isLabel tells whether the token at i is a label or relationship type. The
  // highlighter misses those of CREATE FULLTEXT INDEX … FOR (v:OrgVersion).
  isLabel(i) {
    const [variable, colon, token] = [this.list[i - 2], this.list[i - 1], this.list[i]];
    return (
      token?.tokenType === 'label' ||
      (token?.tokenType === 'symbolicName' && [':', '|'].includes(colon?.token) && variable?.tokenType === 'variable')
    );
  }

  // isEntity tells whether a token is a variable bound to a node or relationship.
  isEntity(token) {
    if (token?.tokenType !== 'variable') return false;
    const bindings = this.symbols.filter(
      (s) => s.variable === token.token && s.references.includes(token.position.startOffset),
    );
    if (bindings.length === 0) return this.labelled.has(token.token);
    return bindings.some((s) => s.types.length > 0 && s.types.every((type) => type === 'Node' || type === 'Relationship'));
  }

  // The front end takes row.key inside a node pattern, as in
  // MATCH (p:Org {id: row.parentId}), for a property of the node and reports a
  // key that the graph does not have; isMapKeyRead recognises such a finding.
  isMapKeyRead({ line, column }) {
    const i = this.list.findIndex((t) => t.position.line === line && t.position.startCharacter === column);
    const [owner, dot, key] = [this.list[i - 2], this.list[i - 1], this.list[i]];
    return key?.tokenType === 'property' && dot?.token === '.' && owner?.tokenType === 'variable' && !this.isEntity(owner);
  }
}

const positionKey = (f) => `${f.line}:${f.column}`;

// The driver runs a file as one query; a second statement would be a
// syntax error on the server only.
function checkOneStatement(text) {
  const count = parseStatementsStrs(text).length;
  if (count === 1) return [];
  return [{ line: 0, column: 0, message: `A .cypher file must hold exactly one statement; this one holds ${count}.` }];
}

// Neo4j ignores a parameter it does not use, which hides a statement that
// forgot a condition. Usage comes from the parser, not from a text search.
function checkParamsUsed(text, params) {
  const used = new Set(parseParameters(text, false));
  const header = text.split('\n', 1)[0];
  return params
    .filter((name) => !used.has(name))
    .map((name) => ({
      line: 0,
      column: headerColumn(header, name),
      message: `Parameter $${name} is declared in the header but not used.`,
    }));
}

function headerColumn(header, name) {
  let offset = header.indexOf(':') + 1;
  for (const entry of header.slice(offset).split(',')) {
    if (entry.trim() === name) return offset + entry.indexOf(name);
    offset += entry.length + 1;
  }
  return 0;
}

// The front end compares only read names with the schema: a label, type or
// property that a statement writes may be new to the database, and a property
// read is not checked if the statement also writes it. The graph model is
// closed, so every name is checked here too, using the parser's token
// classification and the variable types of its symbol table. A name the
// front end reported already is not reported twice.
function checkNamesAgainstModel(tokens, model) {
  const names = new Set([...model.labels, ...model.relationshipTypes]);
  const keys = new Set(model.propertyKeys);
  const list = tokens.list;
  const findings = [];
  const report = (token, what) =>
    findings.push({
      line: token.position.line,
      column: token.position.startCharacter,
      message: `${what} ${token.token} is not in the graph model (graphModel in internal/store/neo4j/model.go).`,
    });
  // For each open curly brace: are its keys property keys (a pattern's
  // properties, SET n += {…}), are its .key entries properties (a map
  // projection of a node), or is it a plain map?
  const braces = [];
  list.forEach((token, i) => {
    if (token.token === '{') {
      braces.push(braceKind(tokens, i));
    } else if (token.token === '}') {
      braces.pop();
    } else if (tokens.isLabel(i) && !names.has(unquote(token.token))) {
      report(token, 'Label or relationship type');
    } else if (token.tokenType === 'property' && !keys.has(unquote(token.token))) {
      const afterDot = list[i - 1]?.token === '.';
      const owner = list[i - 2];
      const brace = braces.at(-1);
      const isKey = list[i + 1]?.token === ':';
      if (
        (afterDot && tokens.isEntity(owner)) || // o.name
        (afterDot && ['{', ','].includes(owner?.token) && brace === 'projection') || // o {.name}
        (isKey && !afterDot && brace === 'properties') // (o:Org {name: …})
      ) {
        report(token, 'Property key');
      }
    }
  });
  return findings;
}

function braceKind(tokens, i) {
  const [beforeBefore, before] = [tokens.list[i - 2], tokens.list[i - 1]];
  if (tokens.isLabel(i - 1)) return 'properties'; // (o:Org {…}), [:PART_OF {…}]
  if (['=', '+='].includes(before?.token) && tokens.isEntity(beforeBefore)) return 'properties'; // SET o += {…}
  if (tokens.isEntity(before)) {
    return ['(', '['].includes(beforeBefore?.token) ? 'properties' : 'projection'; // (o {…}) or o {.name}
  }
  return 'map';
}

const unquote = (name) => name.replace(/^`(.*)`$/, '$1');
