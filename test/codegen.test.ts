import fs from 'node:fs';
import path from 'node:path';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

describe('generated resolver types', () => {
  it('match what `npm run codegen` produces from the schemas today', async () => {
    const { config } = await loadCodegenConfig({ configFilePath: path.join(root, 'codegen.yml') });
    const outputs: { filename: string; content: string }[] = await generate({ ...config, cwd: root, silent: true }, false);
    // five subgraphs' resolver types, and four files (gql, graphql, index, persisted-documents) per client
    expect(outputs.length).toBe(5 + 3 * 4);
    for (const output of outputs) {
      const file = path.resolve(root, output.filename);
      expect(fs.existsSync(file), `${output.filename} is missing: run npm run codegen`).toBe(true);
      expect(fs.readFileSync(file, 'utf8'), `${output.filename} is stale: run npm run codegen`).toBe(output.content);
    }
  });
});
