// Names are bytes. Linux never decodes a file name, argv string or environment entry: any
// byte but NUL (and '/' within a name) may appear. The kernel keeps every such guest string
// as a *byte string*: a JavaScript string whose char codes are the bytes (0-255, latin1),
// so "\xff" and "\xfe" stay two names and a host name is never rewritten. Conversions happen
// only at the edges: guest memory (bytes), the host's file system (Buffers), and text meant
// for a person (the host's UTF-8 command line, messages).

/** Bytes to a byte string. */
export const bytesToString = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** A byte string to its bytes. */
export const stringToBytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Text from the host (a JavaScript string from node: argv, environment, cwd) as a byte string of its UTF-8. */
export const hostText = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');

/** A byte string shown to a person (messages): its bytes read as UTF-8. */
export const displayText = (s: string): string => Buffer.from(s, 'latin1').toString('utf8');
