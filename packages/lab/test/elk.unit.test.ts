import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { run } from '../src/proc.js';
import { type ComposeService, composePath, ES_TYPES, globRegExp, mappedFields, readCompose, readTemplate, readYaml, volumeParts } from './elk-support.js';
import { serve } from './support.js';

// Elasticsearch, Kibana and Filebeat cannot run here: these tests check that the generated pieces
// fit together (compose, Filebeat, the template, Kibana's objects, Grafana), and run elk-setup's
// script against a stand-in HTTP server to see the requests it makes.

interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown> & { title: string };
  references: { id: string; name: string; type: string }[];
}
interface FilebeatConfig {
  'filebeat.inputs': { type: string; paths: string[]; parsers?: { ndjson?: Record<string, unknown> }[] }[];
  'output.elasticsearch': { hosts: string[]; index: string };
  'setup.template.enabled': boolean;
  'setup.ilm.enabled': boolean;
  'setup.template.name': string;
  'setup.template.pattern': string;
}

const readSavedObjects = async () =>
  (await readFile(composePath('elk', 'kibana.ndjson'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SavedObject);

/** The index Filebeat writes today, its date pattern filled in. */
const filebeatIndex = (config: FilebeatConfig) => config['output.elasticsearch'].index.replace(/%\{\+[^}]+\}/, '2030.01.31');

/** Field names a KQL query tests (`a.b : x or c : *`). */
const kqlFields = (query: string) => [...query.matchAll(/([A-Za-z_@][\w.@]*)\s*:/g)].map((m) => m[1] as string);

describe('ELK log pipeline in compose', () => {
  it('passes the compose validator with only the elk profile, and elk-setup and filebeat are in it', async () => {
    const result = await run('docker-compose', ['-f', composePath('docker-compose.yml'), '--profile', 'elk', 'config', '--services']);
    assert.equal(result.code, 0, result.stderr);
    for (const service of ['elasticsearch', 'kibana', 'elk-setup', 'filebeat']) assert.ok(result.stdout.split('\n').includes(service), `${service} missing`);
  });

  it('the index template covers the index Filebeat writes, with real Elasticsearch types and the ECS types of the key fields', async () => {
    const template = await readTemplate();
    const filebeat = await readYaml<FilebeatConfig>('filebeat.yml');
    const index = filebeatIndex(filebeat);
    assert.ok(
      template.index_patterns.some((pattern) => globRegExp(pattern).test(index)),
      `${index} is not matched by ${template.index_patterns.join(', ')}`,
    );
    const mapped = mappedFields(template.template.mappings.properties);
    const types = [...mapped.values(), ...template.template.mappings.dynamic_templates.flatMap((t) => Object.values(t).map((d) => d.mapping.type))];
    assert.deepEqual(
      types.filter((type) => !ES_TYPES.has(type)),
      [],
    );
    const expected: Record<string, string[]> = {
      '@timestamp': ['date'],
      'log.level': ['keyword'],
      message: ['match_only_text', 'text'],
      'service.name': ['keyword'],
      'trace.id': ['keyword'],
      'span.id': ['keyword'],
      'error.type': ['keyword'],
      'error.stack_trace': ['wildcard', 'text', 'match_only_text'],
      'http.response.status_code': ['long'],
      'event.duration': ['long'],
    };
    for (const [field, allowed] of Object.entries(expected)) assert.ok(allowed.includes(mapped.get(field) ?? 'unmapped'), `${field}: ${mapped.get(field)}`);
  });

  it('Kibana: a data view on the log indices, and three saved searches whose fields are mapped and whose reference is that data view', async () => {
    const objects = await readSavedObjects();
    const template = await readTemplate();
    const mapped = mappedFields(template.template.mappings.properties);
    const [dataView, ...others] = objects.filter((o) => o.type === 'index-pattern');
    assert.ok(dataView && others.length === 0, 'exactly one data view');
    assert.deepEqual(template.index_patterns, [dataView.attributes.title]);
    assert.equal(mapped.get(String(dataView.attributes.timeFieldName)), 'date');

    const searches = objects.filter((o) => o.type === 'search');
    const queried = new Map<string, string[]>();
    for (const search of searches) {
      const { columns, sort, kibanaSavedObjectMeta } = search.attributes as unknown as {
        columns: string[];
        sort: [string, string][];
        kibanaSavedObjectMeta: { searchSourceJSON: string };
      };
      const source = JSON.parse(kibanaSavedObjectMeta.searchSourceJSON) as { query: { query: string; language: string }; indexRefName: string };
      const reference = search.references.find((r) => r.name === source.indexRefName);
      assert.deepEqual(reference && { id: reference.id, type: reference.type }, { id: dataView.id, type: 'index-pattern' }, search.id);
      assert.equal(source.query.language, 'kuery');
      queried.set(search.attributes.title, kqlFields(source.query.query));
      const fields = [...columns, ...sort.map(([field]) => field), ...kqlFields(source.query.query)];
      assert.deepEqual(
        fields.filter((field) => !mapped.has(field)),
        [],
        `${search.attributes.title}: unmapped fields`,
      );
    }
    // Fields each query filters on; "by service" filters nothing until one clicks a service.
    assert.deepEqual(Object.fromEntries(queried), {
      'Faultline: logs by trace.id': ['trace.id'],
      'Faultline: logs by service': [],
      'Faultline: errors': ['log.level', 'error.type'],
    });
  });

  it('Filebeat reads the directory every service writes its LOG_FILE to, parses NDJSON, and leaves the template to elk-setup', async () => {
    const { services } = await readCompose();
    const filebeat = services.filebeat as ComposeService;
    const config = await readYaml<FilebeatConfig>('filebeat.yml');
    const globs = config['filebeat.inputs'].flatMap((input) => input.paths);
    const writers = Object.entries(services).filter(([, s]) => s.environment?.LOG_FILE);
    assert.ok(writers.length >= 6, 'the services set LOG_FILE');
    for (const [name, service] of writers) {
      const logFile = service.environment?.LOG_FILE as string;
      // The volume the service writes into, and where Filebeat sees that volume.
      const written = (service.volumes ?? []).map(volumeParts).find((v) => logFile.startsWith(`${v.target}/`));
      assert.ok(written, `${name}: no volume holds ${logFile}`);
      const seen = (filebeat.volumes ?? []).map(volumeParts).find((v) => v.source === written.source);
      assert.ok(seen, `filebeat does not mount ${written.source}`);
      const asSeen = path.posix.join(seen.target, path.posix.relative(written.target, logFile));
      assert.ok(
        globs.some((glob) => globRegExp(glob).test(asSeen)),
        `${name}'s ${asSeen} is read by none of ${globs.join(', ')}`,
      );
    }
    assert.ok(config['filebeat.inputs'].every((input) => input.parsers?.some((p) => p.ndjson?.target === '')));
    assert.equal(config['setup.template.enabled'], false);
    assert.equal(config['setup.ilm.enabled'], false);
    // A custom index needs a template name and pattern in Filebeat's config, and they must be ours.
    const template = await readTemplate();
    const setup = await readFile(composePath('elk', 'setup.sh'), 'utf8');
    assert.match(setup, new RegExp(`/_index_template/${config['setup.template.name']}"`));
    assert.deepEqual([config['setup.template.pattern']], template.index_patterns);
    assert.deepEqual(filebeat.depends_on?.['elk-setup'], { condition: 'service_completed_successfully' });
  });

  it('elk-setup runs a script from the mounted compose/elk, and every file the script reads is there', async () => {
    const setup = (await readCompose()).services['elk-setup'] as ComposeService;
    const script = setup.entrypoint?.at(-1) as string;
    const mount = (setup.volumes ?? []).map(volumeParts).find((v) => script.startsWith(`${v.target}/`));
    assert.ok(mount, `${script} is on no mounted volume`);
    const local = composePath(mount.source, path.posix.relative(mount.target, script));
    const text = await readFile(local, 'utf8');
    const read = [...text.matchAll(/\$here\/([\w.-]+)/g)].map((m) => m[1] as string);
    assert.deepEqual([...new Set(read)].sort(), ['index-template.json', 'kibana.ndjson']);
    for (const file of read) await access(path.join(path.dirname(local), file));
  });

  it('Grafana reads the same indices through the Elasticsearch datasource, and a trace.id links to the Jaeger datasource', async () => {
    const { datasources } = await readYaml<{ datasources: { uid: string; type: string; jsonData?: Record<string, unknown> }[] }>(
      'grafana',
      'provisioning',
      'datasources',
      'datasources.yml',
    );
    const template = await readTemplate();
    const mapped = mappedFields(template.template.mappings.properties);
    const elasticsearch = datasources.find((d) => d.type === 'elasticsearch');
    const json = elasticsearch?.jsonData as {
      index: string;
      timeField: string;
      logMessageField: string;
      logLevelField: string;
      dataLinks: { field: string; datasourceUid: string }[];
    };
    assert.equal(elasticsearch?.uid, 'elasticsearch', 'the uid the dashboards use');
    assert.deepEqual([json.index], template.index_patterns);
    assert.equal(mapped.get(json.timeField), 'date');
    for (const field of [json.logMessageField, json.logLevelField, ...json.dataLinks.map((l) => l.field)]) assert.ok(mapped.has(field), field);
    for (const link of json.dataLinks) assert.equal(datasources.find((d) => d.uid === link.datasourceUid)?.type, 'jaeger');
  });
});

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A stand-in for Elasticsearch and Kibana that records requests; `importAnswer` is the import API's body. */
async function standIn(importAnswer: Record<string, unknown>) {
  const seen: Seen[] = [];
  let healthCalls = 0;
  const server = await serve(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const answer = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.url?.startsWith('/_cluster/health')) {
      healthCalls += 1;
      // Not up at the first ask: the script has to wait.
      if (healthCalls === 1) answer(503, { error: 'not ready' });
      else answer(200, { status: 'green' });
    } else if (req.method === 'PUT' && req.url?.startsWith('/_index_template/')) answer(200, { acknowledged: true });
    else if (req.url === '/api/status') answer(200, { status: { overall: { level: 'available' } } });
    else if (req.method === 'POST' && req.url?.startsWith('/api/saved_objects/_import')) answer(200, importAnswer);
    else answer(404, { error: 'unexpected' });
  });
  const setup = () =>
    run('sh', [composePath('elk', 'setup.sh')], {
      env: { ...process.env, ELASTICSEARCH_URL: server.url, KIBANA_URL: server.url, SETUP_ATTEMPTS: '3' },
      timeoutMs: 30_000,
    });
  return { seen, setup, close: server.close };
}

describe('elk-setup script (against a stand-in for Elasticsearch and Kibana)', () => {
  it('waits for Elasticsearch, installs the template, then imports the saved objects into Kibana', async () => {
    const stub = await standIn({ success: true, successCount: 4 });
    try {
      const result = await stub.setup();
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const calls = stub.seen.map((r) => `${r.method} ${r.url.split('?')[0]}`);
      assert.deepEqual(calls, [
        'GET /_cluster/health',
        'GET /_cluster/health',
        'PUT /_index_template/faultline-logs',
        'GET /api/status',
        'POST /api/saved_objects/_import',
      ]);
      const [, , put, , post] = stub.seen as [Seen, Seen, Seen, Seen, Seen];
      assert.deepEqual(JSON.parse(put.body), await readTemplate());
      assert.equal(put.headers['content-type'], 'application/json');
      assert.match(post.url, /\?overwrite=true$/);
      assert.ok(post.headers['kbn-xsrf'], 'kbn-xsrf header');
      assert.match(String(post.headers['content-type']), /^multipart\/form-data/);
      assert.match(post.body, /filename="kibana\.ndjson"/);
      assert.ok(post.body.includes(await readFile(composePath('elk', 'kibana.ndjson'), 'utf8')), 'the NDJSON is uploaded whole');
    } finally {
      await stub.close();
    }
  });

  it('exits non-zero when Kibana refuses an object, so Filebeat does not start', async () => {
    const stub = await standIn({
      success: false,
      successCount: 0,
      errors: [{ id: 'faultline-errors', type: 'search', error: { type: 'missing_references' } }],
    });
    try {
      const result = await stub.setup();
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /Kibana import failed: .*missing_references/);
    } finally {
      await stub.close();
    }
  });
});
