// The AWS SDK for JavaScript v3 as an independent client of monban's developer access (run
// by scripts/peers/sso_clients.sh after `monban login` and `monban profiles sync`):
// `fromSSO({ profile })` reads the SSO token cache monban wrote (~/.aws/sso/cache/<sha1 of
// the session>.json), calls the portal's GetRoleCredentials itself, and STS
// GetCallerIdentity with those keys must name the expected assumed role.
//
// Usage: node sso_scenario.mjs PROFILE ACCOUNT_ID ROLE USER. Exit status 0 only if it did.
import { fromSSO } from "@aws-sdk/credential-providers";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

const [profile, accountId, role, user] = process.argv.slice(2);
if (!user) {
  console.error("usage: node sso_scenario.mjs PROFILE ACCOUNT_ID ROLE USER");
  process.exit(1);
}
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const expected = new RegExp(
  `^arn:aws:sts::${accountId}:assumed-role/AWSReservedSSO_${escape(role)}_[0-9a-f]{16}/${escape(user)}$`,
);
try {
  const client = new STSClient({ profile, credentials: fromSSO({ profile }) });
  const { Arn } = await client.send(new GetCallerIdentityCommand({}));
  if (!expected.test(Arn)) {
    console.error(`FAIL js ${profile}: GetCallerIdentity answered ${Arn}, expected ${expected}`);
    process.exit(1);
  }
  console.log(`ok   js-sdk ${profile} (fromSSO) -> ${Arn}`);
} catch (error) {
  console.error(`FAIL js ${profile}: ${error.name}: ${error.message}`);
  process.exit(1);
}
