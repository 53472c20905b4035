// Conformant XML 1.0 parsing and XSD validation with libxml2 (WASM), run in a child process
// because libxml2-wasm is an ES module with top-level await. Reads the XML from stdin;
// argv[2] is an optional XSD path. Prints {"ok":true} or {"ok":false,"errors":[...]}.
import fs from 'node:fs';
import {XmlDocument, XsdValidator} from 'libxml2-wasm';

const xml = fs.readFileSync(0);
const result = {ok: true, errors: []};
let doc;
try {
  doc = XmlDocument.fromBuffer(xml);
  if (process.argv[2]) {
    const xsdDoc = XmlDocument.fromBuffer(fs.readFileSync(process.argv[2]));
    const validator = XsdValidator.fromDoc(xsdDoc);
    try {
      validator.validate(doc);
    } catch (error) {
      result.ok = false;
      result.errors.push(...(error.details ?? [{message: String(error)}]).map(d => `${d.line ?? '?'}: ${d.message}`.trim()));
    } finally {
      validator.dispose();
      xsdDoc.dispose();
    }
  }
} catch (error) {
  result.ok = false;
  result.errors.push(...(error.details ?? [{message: String(error)}]).map(d => `${d.line ?? '?'}: ${d.message}`.trim()));
} finally {
  doc?.dispose();
}
process.stdout.write(JSON.stringify(result));
