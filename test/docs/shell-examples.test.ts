import { describe, expect, it } from 'vitest';
import { outputLines, toArgv } from './example-clients.js';
import { extractExamples, parseMosquittoArgs, splitShellWords, topicMatches, type ClientOptions } from './shell-examples.js';

describe('splitShellWords', () => {
  it('keeps single-quoted text literally', () => {
    expect(splitShellWords(`a 'b c' '{"x":"$y \\n"}'`).words).toEqual(['a', 'b c', '{"x":"$y \\n"}']);
  });

  it('unescapes \\" and \\\\ inside double quotes and keeps other backslashes', () => {
    expect(splitShellWords(String.raw`x "say \"hi\" \\ \n" "a"'b'c`).words).toEqual(['x', 'say "hi" \\ \\n', 'abc']);
  });

  it('unescapes any character outside quotes', () => {
    expect(splitShellWords(String.raw`a\ b \# c\'d`).words).toEqual(['a b', '#', "c'd"]);
  });

  it('starts a comment only at the start of a word', () => {
    expect(splitShellWords(`sub -t tplink/# -v   # watch "everything'`)).toEqual({ words: ['sub', '-t', 'tplink/#', '-v'], background: false, incomplete: false });
    expect(splitShellWords(`pub -m '# not a comment'`).words).toEqual(['pub', '-m', '# not a comment']);
  });

  it('takes backslash-newline as a continuation, outside and inside double quotes', () => {
    expect(splitShellWords('a \\\n  b "c\\\nd"').words).toEqual(['a', 'b', 'cd']);
    expect(splitShellWords(`a 'x\ny'`).words).toEqual(['a', 'x\ny']);
  });

  it('marks a trailing & (with or without a space, before a comment) as background', () => {
    expect(splitShellWords('sub -t x & # in another terminal')).toMatchObject({ words: ['sub', '-t', 'x'], background: true });
    expect(splitShellWords('sub -t x&')).toMatchObject({ words: ['sub', '-t', 'x'], background: true });
    expect(splitShellWords(`sub -m 'a & b'`)).toMatchObject({ words: ['sub', '-m', 'a & b'], background: false });
  });

  it('reports what a plain argv cannot express', () => {
    expect(splitShellWords('sub -t x & pub -t y').problem).toBe('`&` must end the command');
    expect(splitShellWords('npm ci && sub -t x').problem).toBe('shell operator `&&`');
    expect(splitShellWords('sub -t x | jq .').problem).toBe('shell operator `|`');
    expect(splitShellWords('pub -m x > out').problem).toBe('shell operator `>`');
    expect(splitShellWords('pub -m $HOME').problem).toBe('shell expansion ($)');
    expect(splitShellWords('pub -m "$(date)"').problem).toBe('shell expansion ($) inside double quotes');
    // Words after the first problem are still split, so a tool named later is found.
    expect(splitShellWords('npm ci && mosquitto_sub -t x').words).toEqual(['npm', 'ci', 'mosquitto_sub', '-t', 'x']);
  });

  it('says when the text needs the next line', () => {
    expect(splitShellWords(`pub -m '{"a":`).incomplete).toBe(true);
    expect(splitShellWords('pub -m "a').incomplete).toBe(true);
    expect(splitShellWords('pub -t x \\').incomplete).toBe(true);
    expect(splitShellWords('pub -t x # ends here \\').incomplete).toBe(false);
  });
});

const SAMPLE = [
  '# Title', // 1
  '', // 2
  '```sh', // 3
  'npm run demo \\', // 4
  '  --flag   # not ours, its continuation is skipped whole', // 5
  "mosquitto_sub -t 'tplink/#' -v &   # in another terminal", // 6
  "$ mosquitto_pub -t 'tplink/hall_lamp/set' \\", // 7
  "    -m 'ON'", // 8
  '```', // 9
  '```json', // 10
  'mosquitto_pub -t ignored -m x', // 11
  '```', // 12
  '- a list item', // 13
  '  ~~~bash', // 14
  "  mosquitto_pub -t 'tplink/x/set' -m '{", // 15
  '    "state": "ON"', // 16
  "  }'", // 17
  '  sudo mosquitto_pub -t a -m b', // 18
  '  ~~~', // 19
  '```console', // 20
  "$ mosquitto_sub -t 'tplink/bridge/state' -C 1", // 21
  '{"state":"online"}', // 22
  '```', // 23
  '```sh', // 24
  'echo nothing to see', // 25
  '```', // 26
].join('\n');

describe('extractExamples', () => {
  const blocks = extractExamples(SAMPLE);

  it('finds the mosquitto commands of shell blocks only, with their opening line, in order', () => {
    expect(blocks.map((block) => [block.line, block.language, block.commands.map((command) => command.line)])).toEqual([
      [3, 'sh', [6, 7]],
      [14, 'bash', [15, 18]],
      [20, 'console', [21]],
    ]);
  });

  it('splits each command into tool, arguments and background', () => {
    const [sub, pub] = blocks[0]?.commands ?? [];
    expect(sub).toMatchObject({ tool: 'mosquitto_sub', args: ['-t', 'tplink/#', '-v'], background: true });
    expect(pub).toMatchObject({ tool: 'mosquitto_pub', args: ['-t', 'tplink/hall_lamp/set', '-m', 'ON'], background: false });
    expect(pub?.unsupported).toBeUndefined();
  });

  it('joins a quoted payload spanning lines and strips the list indentation', () => {
    expect(blocks[1]?.commands[0]?.args).toEqual(['-t', 'tplink/x/set', '-m', '{\n  "state": "ON"\n}']);
  });

  it('marks a command that only mentions a tool as unsupported', () => {
    expect(blocks[1]?.commands[1]).toMatchObject({ line: 18, tool: undefined, unsupported: expect.stringContaining('start with mosquitto_pub') });
  });

  it('reads only prompted lines of a console block', () => {
    expect(blocks[2]?.commands).toHaveLength(1);
    expect(blocks[2]?.commands[0]?.args).toEqual(['-t', 'tplink/bridge/state', '-C', '1']);
  });
});

describe('parseMosquittoArgs', () => {
  it('reads every supported publisher option', () => {
    const parsed = parseMosquittoArgs('mosquitto_pub', ['-h', 'broker', '-p', '1884', '-t', 'a/b', '-m', 'hi', '-r', '-q', '1', '-u', 'me', '-P', 'pw', '-i', 'id', '-d', '--quiet']);
    expect(parsed).toEqual({
      ok: true,
      options: expect.objectContaining({ host: 'broker', port: 1884, topics: ['a/b'], message: 'hi', retain: true, qos: 1, username: 'me', password: 'pw', clientId: 'id', debug: true, quiet: true }),
    });
    expect(parseMosquittoArgs('mosquitto_pub', ['-t', 'a', '-n'])).toMatchObject({ ok: true, options: { message: '', nullMessage: true } });
  });

  it('reads every supported subscriber option, -t repeated', () => {
    const parsed = parseMosquittoArgs('mosquitto_sub', ['-t', 'a/#', '-t', 'b/+/c', '-v', '-C', '3', '-W', '10', '-R', '-N', '-q', '2']);
    expect(parsed).toMatchObject({ ok: true, options: { topics: ['a/#', 'b/+/c'], verbose: true, count: 3, timeoutS: 10, skipRetained: true, noEol: true, qos: 2 } });
  });

  it.each([
    ['mosquitto_sub', ['-t', 'a', '-F', '%t'], 'unsupported option -F for mosquitto_sub'],
    ['mosquitto_pub', ['-t', 'a', '-m', 'x', '-v'], 'unsupported option -v for mosquitto_pub'],
    ['mosquitto_sub', ['-t', 'a', '-r'], 'unsupported option -r for mosquitto_sub'],
    ['mosquitto_pub', ['--topic', 'a', '-m', 'x'], 'unsupported option --topic for mosquitto_pub'],
    ['mosquitto_pub', ['-t', 'a', 'stray'], 'unsupported argument "stray" for mosquitto_pub'],
    ['mosquitto_pub', ['-t', 'a', '-l'], '-l reads the message from stdin lines, which a test cannot reproduce'],
    ['mosquitto_pub', ['-t', 'a', '-s'], '-s reads the message from stdin, which a test cannot reproduce'],
    ['mosquitto_pub', ['-t', 'a', '-f', 'x.json'], '-f reads the message from a file, which a test cannot reproduce'],
    ['mosquitto_pub', ['-t', 'a'], 'no message: give -m MESSAGE or -n'],
    ['mosquitto_pub', ['-t', 'a', '-m'], '-m needs a value'],
    ['mosquitto_pub', ['-t', 'a', '-t', 'b', '-m', 'x'], 'mosquitto_pub takes exactly one -t'],
    ['mosquitto_pub', ['-t', 'a', '-m', 'x', '-n'], 'both -m and -n'],
    ['mosquitto_pub', ['-t', 'a', '-m', 'x', '-m', 'y'], '-m: more than one message'],
    ['mosquitto_pub', ['-t', 'a/#', '-m', 'x'], 'invalid topic "a/#"'],
    ['mosquitto_sub', ['-t', 'a/#/b'], 'invalid filter "a/#/b"'],
    ['mosquitto_sub', ['-t', 'a+'], 'invalid filter "a+"'],
    ['mosquitto_sub', ['-v'], 'no topic (-t)'],
    ['mosquitto_sub', ['-t', 'a', '-q', '3'], '-q: QoS "3" is not 0, 1 or 2'],
    ['mosquitto_sub', ['-t', 'a', '-C', '0'], '-C: "0" is not a whole number from 1 to 1000000'],
    ['mosquitto_sub', ['-t', 'a', '-p', 'x'], '-p: "x" is not a whole number from 1 to 65535'],
  ] as const)('%s %j is unsupported', (tool, words, reason) => {
    expect(parseMosquittoArgs(tool, words)).toEqual({ ok: false, reason });
  });

  it('gives back, through toArgv, exactly the options it read', () => {
    const examples: [ClientOptions['tool'], string[]][] = [
      ['mosquitto_pub', ['-h', 'h', '-p', '2', '-t', 'a', '-m', '{"x": 1}', '-r', '-q', '2', '-u', 'u', '-P', 'p', '-i', 'i', '-d', '--quiet']],
      ['mosquitto_pub', ['-t', 'a', '-n']],
      ['mosquitto_sub', ['-t', 'a', '-t', 'b/#', '-q', '1', '-v', '-C', '2', '-W', '3', '-R', '-N']],
    ];
    for (const [tool, words] of examples) {
      const parsed = parseMosquittoArgs(tool, words);
      if (!parsed.ok) throw new Error(parsed.reason);
      expect(toArgv(parsed.options)).toEqual(words);
    }
  });
});

describe('topicMatches', () => {
  it.each([
    ['tplink/#', 'tplink/a/b', true],
    ['tplink/#', 'tplink', true],
    ['tplink/+', 'tplink/a', true],
    ['tplink/+', 'tplink/a/b', false],
    ['tplink/+/availability', 'tplink/lamp/availability', true],
    ['tplink/a', 'tplink/a/b', false],
    ['#', '$SYS/broker', false],
    ['+/broker', '$SYS/broker', false],
    ['$SYS/#', '$SYS/broker', true],
  ] as const)('%s vs %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('outputLines', () => {
  it('drops mosquitto -d output, also when glued to a payload printed without end of line', () => {
    const stdout = [
      'Client (null) sending CONNECT',
      'Client (null) received CONNACK (0)',
      'Client my id sending SUBSCRIBE (Mid: 1, Topic: a/#, QoS: 0, Options: 0x00)',
      'Client (null) received SUBACK',
      'Subscribed (mid: 1): 0, 0',
      "Client (null) received PUBLISH (d0, q0, r1, m0, 'a/b', ... (8 bytes))",
      'a/b retained',
      "Client (null) received PUBLISH (d0, q0, r0, m0, 'a/c', ... (1 bytes))",
      'xClient (null) sending DISCONNECT',
      '',
    ].join('\n');
    expect(outputLines(stdout)).toEqual(['a/b retained', 'x']);
  });
});
