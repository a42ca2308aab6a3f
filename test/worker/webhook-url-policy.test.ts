import { describe, expect, it } from 'vitest';
import { webhookUrlProblem } from '../../worker/room-webhooks/url-policy';

describe('a room webhook URL (SPEC §11)', () => {
  it.each([
    'https://hooks.example.com/reflector',
    'https://example.com:8443/a?b=c',
    'https://8.8.8.8/hook',
    'https://[2001:4860:4860::8888]/hook',
  ])('may be the public https URL %s in production', (url) => {
    expect(webhookUrlProblem(url, 'production')).toBeNull();
  });

  it.each([
    ['http://hooks.example.com/', 'https://'],
    ['ftp://hooks.example.com/', 'https://'],
    ['hooks.example.com/x', 'absolute URL'],
    ['https://127.0.0.1/', 'public host'],
    ['https://2130706433/', 'public host'], // 127.0.0.1 as one number
    ['https://0x7f.1/', 'public host'],
    ['https://10.1.2.3/', 'public host'],
    ['https://172.31.255.255/', 'public host'],
    ['https://192.168.0.10/', 'public host'],
    ['https://169.254.169.254/latest/meta-data', 'public host'], // cloud metadata
    ['https://100.64.0.1/', 'public host'],
    ['https://0.0.0.0/', 'public host'],
    ['https://[::1]/', 'public host'],
    ['https://[::ffff:127.0.0.1]/', 'public host'],
    ['https://[fd00::1]/', 'public host'],
    ['https://[fe80::1]/', 'public host'],
    ['https://localhost/', 'public host'],
    ['https://api.localhost./', 'public host'],
    ['https://printer.local/', 'public host'],
    ['https://metadata.google.internal/', 'public host'],
    ['https://intranet/', 'public host'],
  ])('refuses %s in production', (url, words) => {
    expect(webhookUrlProblem(url, 'production')).toContain(words);
  });

  it('allows http and this machine in development, so a local receiver can be tried', () => {
    expect(webhookUrlProblem('http://127.0.0.1:9000/hook', 'development')).toBeNull();
    expect(webhookUrlProblem('ftp://127.0.0.1/', 'development')).toContain('http://');
  });
});
