/**
 * The environment Granary gives the Node processes it starts (the server under the supervisor, the
 * worker children): without NODE_EXTRA_CA_CERTS, which Node parses at every process start (~50 ms on
 * the CI machine, whose environment sets it), and with its value as GRANARY_EXTRA_CA_CERTS unless that
 * is set: the configuration reads it from there (config.ts, `extraCaCerts`) and hands the file to
 * the connections that need it (remote COGs, alert webhooks: raster/source.ts `trustedCa`).
 */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: extraCa, ...rest } = env;
  return extraCa && !rest.GRANARY_EXTRA_CA_CERTS ? { ...rest, GRANARY_EXTRA_CA_CERTS: extraCa } : rest;
}
