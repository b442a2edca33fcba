// A loopback stand-in for the three LLM wire formats the tuner speaks (../shared/contracts/llm-providers.md):
// OpenAI chat completions (POST /v1/chat/completions), Anthropic messages (POST /v1/messages) and Ollama chat
// (POST /api/chat). Replies come from a script, one step per request, in each format's own shape: a reply
// text (stop), a truncated reply (length / max_tokens), an error status with headers, or no answer at all.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptStep =
  | { reply: string; truncated?: boolean }
  | { status: number; headers?: Record<string, string>; message?: string }
  | { hang: true };

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The stand-in's clock at arrival (the test's fake clock). */
  at: number;
}

export interface LlmStandin {
  url: string;
  received: ReceivedRequest[];
  /** Steps still to serve; once empty, the last step repeats. */
  script(steps: ScriptStep[]): void;
  /**
   * Exchanges under way (a request being read or answered; a hanging one is not: it waits on the client's
   * timeout) and exchanges finished so far — what a test driving fake time watches so that it never moves
   * the clock while a real request is in flight.
   */
  activity(): { open: number; finished: number };
  close(): Promise<void>;
}

function okBody(path: string, model: string, text: string, truncated: boolean): unknown {
  if (path === '/v1/chat/completions') {
    return {
      id: 'chatcmpl-standin',
      object: 'chat.completion',
      created: 1_764_115_200,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: truncated ? 'length' : 'stop' }],
      usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 },
    };
  }
  if (path === '/v1/messages') {
    return {
      id: 'msg_standin',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text }],
      model,
      stop_reason: truncated ? 'max_tokens' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 1200, output_tokens: 300 },
    };
  }
  return {
    model,
    created_at: '2026-11-26T00:00:00Z',
    message: { role: 'assistant', content: text },
    done: true,
    done_reason: truncated ? 'length' : 'stop',
    total_duration: 1,
    load_duration: 1,
    prompt_eval_count: 1200,
    prompt_eval_duration: 1,
    eval_count: 300,
    eval_duration: 1,
  };
}

function errorBody(path: string, status: number, message: string): unknown {
  if (path === '/v1/chat/completions') return { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', param: null, code: null } };
  if (path === '/v1/messages') return { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : 'api_error', message } };
  return { error: message };
}

export async function startLlmStandin(now: () => number = Date.now): Promise<LlmStandin> {
  let steps: ScriptStep[] = [{ status: 500, message: 'no script' }];
  const received: ReceivedRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  let open = 0;
  let finished = 0;
  const server = http.createServer((req, res) => {
    open += 1;
    res.on('close', () => {
      if (!hanging.has(res)) open -= 1;
      finished += 1;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      if (req.method !== 'POST' || !['/v1/chat/completions', '/v1/messages', '/api/chat'].includes(path)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      received.push({ path, headers: req.headers, body, at: now() });
      const step = steps.length > 1 ? steps.shift()! : steps[0]!;
      if ('hang' in step) {
        hanging.add(res);
        open -= 1;
        return;
      }
      if ('status' in step) {
        res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers }).end(JSON.stringify(errorBody(path, step.status, step.message ?? `HTTP ${step.status}`)));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(okBody(path, String(body.model ?? 'standin'), step.reply, step.truncated ?? false)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script(next) {
      steps = [...next];
    },
    activity: () => ({ open, finished }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
