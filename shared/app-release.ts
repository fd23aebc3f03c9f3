/**
 * Where the app's own releases are published: electron-builder's `publish` (the update feed
 * electron-updater reads, `latest*.yml` beside the packages) and the release page an unsigned
 * macOS build opens instead of updating in place. The project has no repository of its own
 * configured yet, so this is a placeholder in this one place: change it here and nowhere else.
 */
export const APP_RELEASE_REPOSITORY = Object.freeze({ owner: 'microsandbox-tray', repo: 'microsandbox-tray' });

const base = `https://github.com/${APP_RELEASE_REPOSITORY.owner}/${APP_RELEASE_REPOSITORY.repo}`;

/** The latest release's page, fixed here: the window never names a URL to open. */
export const APP_RELEASE_PAGE_URL = `${base}/releases/latest`;

/** Where `latest*.yml` of the latest release can be read (GitHub redirects to the asset). */
export const APP_UPDATE_FEED_URL = `${base}/releases/latest/download`;
