import {execFileSync} from 'node:child_process';
import * as path from 'node:path';
import {XMLParser, XMLValidator} from 'fast-xml-parser';

export const JUNIT_10_XSD = path.join(__dirname, 'junit-10.xsd');

/** libxml2 (conformant) parse, plus XSD validation when `xsd` is given. */
export function libxml2Validate(xml: string, xsd?: string): {ok: boolean; errors: string[]} {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'validateXml.mjs'), ...(xsd ? [xsd] : [])], {
    input: Buffer.from(xml, 'utf8'),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8')) as {ok: boolean; errors: string[]};
}

/** fast-xml-parser's well-formedness check, then a parse keeping attributes as strings. */
export function parseJUnit(xml: string): any {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed: ${JSON.stringify(valid)}`);
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    htmlEntities: false,
    processEntities: true,
    cdataPropName: '#cdata',
    isArray: (name, _jpath, _isLeaf, isAttribute) => !isAttribute && ['testsuite', 'testcase', 'property', 'failure', 'error', 'skipped'].includes(name),
  }).parse(xml);
}
