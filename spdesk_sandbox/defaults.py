"""Fixed sandbox identities: the LWA app and seller that the sandbox and the demo share.

These are not secrets: they only open the local sandbox, never Amazon. The companion still keeps
them in the OS keyring like real credentials, so the demo exercises the real path.
"""

SANDBOX_CLIENT_ID = "amzn1.application-oa2-client.spdesksandbox0000000000000001"
SANDBOX_CLIENT_SECRET = "amzn1.oa2-cs.v1.spdesk-sandbox-client-secret-not-for-amazon"
SANDBOX_REFRESH_TOKEN = "Atzr|spdesk-sandbox-refresh-token-seller-A2SPDESKDEMO01"
SANDBOX_SELLER_ID = "A2SPDESKDEMO01"
SANDBOX_ACCOUNT_NAME = "sandbox"
ACCESS_TOKEN_TTL_SECONDS = 3600
