// SASL PLAIN's one token (RFC 4616): [authzid] NUL authcid NUL passwd, UTF-8. An authzid other
// than the user is refused (Kafka's PlainSaslServer does the same).

export function parsePlainToken(token: Uint8Array): { user: string; password: string } | null {
  const text = Buffer.from(token).toString('utf8');
  const parts = text.split('\u0000');
  if (parts.length !== 3) return null;
  const [authzid, user, password] = parts;
  if (user === '' || password === '') return null;
  if (authzid !== '' && authzid !== user) return null;
  return { user, password };
}
