/**
 * The app's window as the flows read it, by role and test id: one place to add a locator when the
 * window grows (the first-run state, say), so the flows read as what a user sees.
 */
import type { Locator, Page } from 'playwright-core';

export class WindowView {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  /** The header's status pill: `Stopped`, `Starting…`, `Running`, `Failed`, … */
  get pill(): Locator {
    return this.page.getByTestId('status-pill');
  }

  /** The Status tab's state line, and its facts. */
  get state(): Locator {
    return this.page.getByTestId('status-state');
  }

  get pid(): Locator {
    return this.page.getByTestId('status-pid');
  }

  get url(): Locator {
    return this.page.getByTestId('status-url');
  }

  get health(): Locator {
    return this.page.getByTestId('status-health');
  }

  /** The failure card (hidden unless the server failed), and its parts. */
  get failure(): Locator {
    return this.page.getByTestId('status-failure');
  }

  get failureTitle(): Locator {
    return this.failure.getByRole('heading');
  }

  get failureMessage(): Locator {
    return this.page.getByTestId('failure-message');
  }

  /** The places searched for msbserver, one item each. */
  get searched(): Locator {
    return this.page.getByTestId('failure-searched').getByRole('listitem');
  }

  /** The first-run state (microsandbox not installed, msbrun missing, an unsupported platform), and its parts. */
  get setup(): Locator {
    return this.page.getByTestId('setup-problem');
  }

  get setupTitle(): Locator {
    return this.setup.getByRole('heading');
  }

  /** The places looked at for msbserver, one item each. */
  get setupSearched(): Locator {
    return this.page.getByTestId('setup-searched').getByRole('listitem');
  }

  /** The install command, shown as code with its Copy button. */
  get installCommand(): Locator {
    return this.page.getByTestId('setup-command');
  }

  get failureLog(): Locator {
    return this.page.getByTestId('failure-log');
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  tab(name: string): Locator {
    return this.page.getByRole('tab', { name, exact: true });
  }
}

/** A locator's text, trimmed; '' when it has none. */
export async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim();
}
