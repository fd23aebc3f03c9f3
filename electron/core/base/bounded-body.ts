/**
 * An HTTP answer's body read up to a bound: the update feeds and GitHub's release answer are a
 * few kilobytes, and a hostile or broken server must not make main hold an answer of any size.
 */

/** The body as text, or null once it passes `limit` bytes (the rest is not read). */
export async function boundedText(response: Response, limit: number): Promise<string | null> {
  if (response.body === null) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {
        // The answer is refused either way; a failed cancel only leaves the socket to the timeout.
      });
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
