/** Hide the password of a MongoDB URI so it can be printed or logged. */
export function redactUri(uri: string): string {
  // Userinfo is everything between "://" and the last "@" before the host list.
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)([^@/]*)@/i, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    if (colon < 0) return `${scheme}${userinfo}@`;
    return `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

/** Remove every occurrence of a URI's password from a message (driver errors may echo it). */
export function scrubSecrets(message: string, secrets: Iterable<string | undefined>): string {
  let out = message;
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join("***");
  }
  return out;
}

/** The decoded password in a MongoDB URI, if any. */
export function uriPassword(uri: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/([^@/]*)@/i.exec(uri);
  const userinfo = m?.[1];
  if (!userinfo?.includes(":")) return undefined;
  const raw = userinfo.slice(userinfo.indexOf(":") + 1);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
