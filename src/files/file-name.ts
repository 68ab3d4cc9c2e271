const maxNameLength = 200;

/**
 * The name to keep for an uploaded file: the last path segment only (old browsers send
 * `C:\Users\...`), NFC so that Lao typed on different keyboards compares equal, and without
 * control or bidirectional-override characters, which can disguise `exe` as `pdf` on screen.
 *
 * @example
 *   cleanFileName('C:\\data\\ສະຖິຕິ.csv') // 'ສະຖິຕິ.csv'
 */
export function cleanFileName(raw: string | undefined): string {
  const last = (raw ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = last
    .normalize('NFC')
    .replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, '')
    .trim();
  if (cleaned === '' || /^\.+$/.test(cleaned)) return 'file';
  const characters = Array.from(cleaned);
  if (characters.length <= maxNameLength) return cleaned;
  // Shorten the stem, not the extension, so the file still opens with the right program.
  const extension = /\.[\p{L}\p{N}]{1,10}$/u.exec(cleaned)?.[0] ?? '';
  const stem = Array.from(cleaned.slice(0, cleaned.length - extension.length));
  return stem.slice(0, maxNameLength - Array.from(extension).length).join('') + extension;
}

/**
 * `Content-Disposition: attachment` with both an ASCII `filename` for old clients and an RFC
 * 5987/6266 `filename*` that carries the real (e.g. Lao) name in UTF-8.
 */
export function attachmentDisposition(fileName: string): string {
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${asciiFallback(fileName)}"; filename*=UTF-8''${encoded}`;
}

/** Latin letters lose their accents; other scripts become `_`, and a name left empty becomes `file`. */
function asciiFallback(fileName: string): string {
  const extension = /\.[A-Za-z0-9]{1,10}$/.exec(fileName)?.[0] ?? '';
  const stem = fileName
    .slice(0, fileName.length - extension.length)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]+/g, '_')
    // Quotes and backslashes would end the quoted string; `%` is decoded by some browsers.
    .replace(/["\\%]/g, '_')
    .replace(/_[_\s]*_/g, '_')
    .replace(/^[_\s.]+|[_\s]+$/g, '');
  return (/[A-Za-z0-9]/.test(stem) ? stem : 'file') + extension;
}
