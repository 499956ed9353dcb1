// Obviously fake but distinctive secrets. The simulator plants them in requests and log
// entries so security tests can scan the exporter's logs, metrics and traces for any of them.

/** Salesfinity `x-api-key` the simulator accepts by default. */
export const SIM_SALESFINITY_API_KEY = 'sim-sf-key-5d1c9e07b3a84f62';
/** GitHub token the simulator accepts by default for repository and organization hooks. */
export const SIM_GITHUB_TOKEN = 'sim-github-token-3f8a1c6e9b27d450';
/** GitLab `PRIVATE-TOKEN` (or bearer token) the simulator accepts by default. */
export const SIM_GITLAB_TOKEN = 'sim-gitlab-token-3f9a1c7e52b0d846';
/** In every generated GitLab entry's `request_headers` as `X-Gitlab-Token`: the receiver's secret. */
export const SIM_GITLAB_RECEIVER_SECRET = 'sim-gitlab-receiver-secret-8d2f5a91c4e7';
/** Svix bearer token the simulator accepts by default. */
export const SIM_SVIX_TOKEN = 'sim-svix-token-3f9c1a7e5b20d846';
/** Baanx bearer token the simulator accepts by default. */
export const SIM_BAANX_TOKEN = 'sim-bx-token-a7f04c2e9d1b6358';
/** In every generated Baanx receiver URL as `?token=…`. */
export const SIM_RECEIVER_TOKEN = 'sim-receiver-token-e3b91d7c0a5f';
/** In some generated Baanx receiver URLs as `user:password@`. */
export const SIM_RECEIVER_PASSWORD = 'sim-receiver-pass-4c8a2f6b19e0';
/** Key of the HMAC behind every X-Signature; never leaves the simulator. */
export const SIM_SIGNING_SECRET = 'sim-signing-secret-7b2e94d0c1f3';
/** Every generated X-Signature value starts with this, so one substring finds them all. */
export const SIM_SIGNATURE_PREFIX = 'sim-sig-';

/** Substrings that must never appear in anything the exporter outputs. */
export const SIM_SECRETS: readonly string[] = [
  SIM_SALESFINITY_API_KEY,
  SIM_BAANX_TOKEN,
  SIM_RECEIVER_TOKEN,
  SIM_RECEIVER_PASSWORD,
  SIM_SIGNING_SECRET,
  SIM_SIGNATURE_PREFIX,
  SIM_GITHUB_TOKEN,
  SIM_GITLAB_TOKEN,
  SIM_GITLAB_RECEIVER_SECRET,
  SIM_SVIX_TOKEN,
];
