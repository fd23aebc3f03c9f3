/**
 * Run by the release workflow before it packages: the installed apps look for updates in the
 * repository `shared/app-release.ts` names, so a release built in any other repository would
 * leave its users on a feed that never moves. Exits 1 with what to change when the two differ.
 *
 *   GITHUB_REPOSITORY=owner/repo node scripts/check-release-repository.ts
 */
import { APP_RELEASE_REPOSITORY } from '../shared/app-release.ts';

const named = `${APP_RELEASE_REPOSITORY.owner}/${APP_RELEASE_REPOSITORY.repo}`;
const here = process.env['GITHUB_REPOSITORY'] ?? '';
if (here.toLowerCase() !== named.toLowerCase()) {
  console.error(
    `This release is built in "${here}", but the apps will look for updates in "${named}": ` +
      'set APP_RELEASE_REPOSITORY in shared/app-release.ts to this repository first.',
  );
  process.exit(1);
}
console.log(`The apps will look for updates in ${named}, where this release is published.`);
