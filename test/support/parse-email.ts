// Reads an email as a mail client would: Python's standard email parser (an independent
// implementation, not nodemailer's), with encoded words decoded and folded headers unfolded; and
// the raw header block, to check how each header is laid out on the wire.
import { spawnSync } from 'node:child_process';

export interface ParsedEmail {
  /** Header name (as sent) and decoded, unfolded value, in order. */
  headers: [string, string][];
  /** The first text/plain and text/html parts, decoded, with \n line ends. */
  text: string | null;
  html: string | null;
  /** The raw lines of the header block, before any unfolding. */
  rawHeaderLines: string[];
}

const PARSER = `
import email, json, sys
from email import policy
message = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
out = {"headers": [[name, str(value)] for name, value in message.items()], "text": None, "html": None, "defects": [str(d) for d in message.defects]}
for part in message.walk():
    kind = part.get_content_type()
    if kind == "text/plain" and out["text"] is None:
        out["text"] = part.get_content()
    if kind == "text/html" and out["html"] is None:
        out["html"] = part.get_content()
json.dump(out, sys.stdout)
`;

export function parseEmail(raw: string): ParsedEmail {
  const result = spawnSync('python3', ['-c', PARSER], { input: raw, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`python3 could not parse the email: ${result.error?.message ?? result.stderr}`);
  const parsed = JSON.parse(result.stdout) as { headers: [string, string][]; text: string | null; html: string | null; defects: string[] };
  if (parsed.defects.length) throw new Error(`the email has defects: ${parsed.defects.join('; ')}`);
  const headerBlock = raw.split(/\r?\n\r?\n/, 1)[0];
  // Lines end as the reader's platform ends them: \n.
  const lines = (part: string | null) => (part === null ? null : part.replace(/\r\n/g, '\n'));
  return { headers: parsed.headers, text: lines(parsed.text), html: lines(parsed.html), rawHeaderLines: headerBlock.split(/\r?\n/) };
}

/** A header's decoded value; throws unless it is there exactly once. */
export function header(email: ParsedEmail, name: string): string {
  const values = email.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  if (values.length !== 1) throw new Error(`${name}: ${values.length} headers`);
  return values[0];
}

/** The raw lines a header takes on the wire: its own line and any folded continuation lines. */
export function rawHeaderLines(email: ParsedEmail, name: string): string[] {
  const start = email.rawHeaderLines.findIndex((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  if (start < 0) return [];
  const lines = [email.rawHeaderLines[start]];
  for (let i = start + 1; i < email.rawHeaderLines.length && /^[ \t]/.test(email.rawHeaderLines[i]); i++) lines.push(email.rawHeaderLines[i]);
  return lines;
}
