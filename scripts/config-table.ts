/**
 * Renders the settings schema as README's configuration table, so the
 * documentation cannot drift from the code (a test compares them).
 */
import { booleanOrAuto, settingLeaves, type SettingLeaf } from '../src/config/schema.js';

function formatName(leaf: SettingLeaf): string {
  const { format } = leaf;
  if (Array.isArray(format)) return format.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (format === Boolean) return 'boolean';
  if (format === booleanOrAuto) return '`true` \\| `false` \\| `auto`';
  if (format === String) return 'string';
  if (format === Object) return 'object';
  if (format === 'port') return 'port';
  if (format === 'nat') return 'integer ≥ 0';
  if (typeof leaf.default === 'number') return 'number';
  if (typeof leaf.default === 'object') return 'object';
  return typeof leaf.default;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function defaultValue(leaf: SettingLeaf): string {
  if (leaf.sensitive) return '';
  const text = JSON.stringify(leaf.default);
  return text === '""' ? '' : `\`${cell(text)}\``;
}

export function configTable(): string {
  const rows = settingLeaves().map((leaf) => {
    const env = leaf.env ? `\`${leaf.env}\`` : '';
    const arg = leaf.arg ? `\`--${leaf.arg}\`` : '';
    return `| \`${leaf.path}\` | ${cell(leaf.doc)} | ${formatName(leaf)} | ${defaultValue(leaf)} | ${env} | ${arg} |`;
  });
  return [
    '| option | meaning | format | default | env var | CLI flag |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
