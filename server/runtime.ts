// The Node.js lines Tessera supports: the LTS lines oidc-provider supports (it checks for an LTS
// release from 22 "Jod" on and warns otherwise); CI runs 22 and 24. Node 20.19+ still runs Tessera,
// but is past its end of life (April 2026).

/** A one-line start-up warning when this Node.js is not a supported LTS release; undefined when it is. */
export function unsupportedRuntimeWarning(
  { version, lts }: { version: string; lts?: string } = { version: process.version, lts: process.release.lts },
): string | undefined {
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  if (lts && major >= 22) return undefined;
  const why = major === 20 ? 'past its end of life' : major < 20 ? 'too old' : 'not an LTS release';
  return `Node.js ${version} is not a supported runtime (${why}): run Tessera on an LTS release of Node.js 22 or later (22 and 24 are tested).`;
}
