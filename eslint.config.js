// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronImportBan = {
  paths: [
    {
      name: 'electron',
      message: 'electron/core and shared run under plain Node: take Electron facilities as arguments instead.',
    },
    {
      name: 'electron-store',
      message: 'electron/core and shared take a settings store as an argument (conf satisfies it).',
    },
  ],
  patterns: [{ group: ['electron/*', 'electron-store/*'], message: 'No Electron imports in electron/core or shared.' }],
};

export default tseslint.config(
  {
    ignores: ['node_modules/', '.tsbuild/', 'out/', 'dist/', 'release/', 'coverage/', 'screenshots/', 'test-results/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['electron/core/probe.ts', 'shared/probe.ts', 'electron/adapters/probe.ts'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A case added to a union must be handled wherever it is switched on; a default does not
      // stand in for it (a new tray action once fell through a default into another's behaviour).
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, allowDefaultCaseForExhaustiveSwitch: false },
      ],
      'no-restricted-imports': 'off',
      // Prettier wraps code at 120 but not strings, comments or regexes; this holds those too.
      'max-len': ['error', { code: 120, ignoreUrls: true }],
    },
  },
  {
    files: ['electron/core/**', 'shared/**'],
    rules: { 'no-restricted-imports': ['error', electronImportBan] },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
