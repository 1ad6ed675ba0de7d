import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateError, parseTemplate, renderTemplate } from './template.js';

const data = {
  A: { B: 'deep', N: 3 },
  Name: 'web',
  Labels: { b: '2', a: '1' },
  List: ['x', 'y'],
  Flag: true,
  Nothing: null,
};

describe('renderTemplate', () => {
  it('prints literal text and field paths', () => {
    assert.equal(
      renderTemplate('name={{.Name}} b={{.A.B}} n={{ .A.N }}', data),
      'name=web b=deep n=3',
    );
  });

  it('renders {{json .}} and {{json .Path}}', () => {
    assert.equal(renderTemplate('{{json .}}', { X: 1, Y: 'z' }), '{"X":1,"Y":"z"}');
    assert.equal(renderTemplate('{{json .A}}', data), '{"B":"deep","N":3}');
    assert.equal(renderTemplate('{{json .Missing}}', data), 'null');
  });

  it('turns \\t and \\n escapes into tabs and newlines', () => {
    assert.equal(renderTemplate('{{.Name}}\\t{{.A.B}}\\n', data), 'web\tdeep\n');
  });

  it('prints <no value> for a missing field or null', () => {
    assert.equal(renderTemplate('{{.Missing}}', data), '<no value>');
    assert.equal(renderTemplate('{{.Nothing}}', data), '<no value>');
  });

  it('prints maps Go-style with sorted keys, and slices in brackets', () => {
    assert.equal(renderTemplate('{{.Labels}}', data), 'map[a:1 b:2]');
    assert.equal(renderTemplate('{{.List}}', data), '[x y]');
    assert.equal(renderTemplate('{{.Flag}}', data), 'true');
  });

  it('sorts map keys by byte order as Go does', () => {
    assert.equal(renderTemplate('{{.}}', { a: '1', B: '2' }), 'map[B:2 a:1]');
  });

  it('applies upper, lower and title', () => {
    assert.equal(renderTemplate('{{upper .Name}}', data), 'WEB');
    assert.equal(renderTemplate('{{lower .X}}', { X: 'MiXeD' }), 'mixed');
    assert.equal(renderTemplate('{{title .X}}', { X: 'hello world' }), 'Hello World');
  });

  it('applies len, index and join as Go does', () => {
    assert.equal(renderTemplate('{{len .List}} {{len .Labels}} {{len .Name}}', data), '2 2 3');
    assert.equal(renderTemplate('{{index .List 1}} {{index .Labels "a"}}', data), 'y 1');
    assert.equal(renderTemplate('{{index .Labels "zz"}}', data), '<no value>');
    assert.equal(renderTemplate('{{index .N "k" 0}}', { N: { k: ['v'] } }), 'v');
    assert.equal(renderTemplate('{{join .List ", "}}', data), 'x, y');
    assert.throws(() => renderTemplate('{{index .List 5}}', data), /index out of range: 5/);
    assert.throws(() => renderTemplate('{{index .List x}}', data), /unsupported action/);
    assert.throws(() => renderTemplate('{{join .List}}', data), /unsupported action/);
    assert.throws(() => renderTemplate('{{join .List "\\x"}}', data), TemplateError);
  });

  it('accepts trim markers in the action', () => {
    assert.equal(renderTemplate('{{- .Name -}}', data), 'web');
  });

  it('fails on a field of a non-object', () => {
    assert.throws(() => renderTemplate('{{.Name.X}}', data), TemplateError);
    assert.throws(() => renderTemplate('{{.Missing.X}}', data), /can't evaluate field X/);
  });

  it('with missingKey error, names the missing key and its column as Go does', () => {
    assert.throws(
      () => renderTemplate('{{.Foo}}', data, { missingKey: 'error' }),
      new TemplateError(
        'template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"',
      ),
    );
    assert.throws(
      () => renderTemplate('x={{json .A.Nope.Z}}', data, { missingKey: 'error' }),
      /:1:11: executing "" at <\.A\.Nope\.Z>: map has no entry for key "Nope"$/,
    );
    assert.equal(
      renderTemplate('{{.A.B}} {{.Nothing}}', data, { missingKey: 'error' }),
      'deep <no value>',
    );
  });

  it('throws a TemplateError on bad syntax', () => {
    assert.throws(() => renderTemplate('{{Name}}', data), TemplateError);
    assert.throws(() => renderTemplate('{{.Name!}}', data), /bad field reference/);
    assert.throws(() => renderTemplate('{{printf "%s" .Name}}', data), /unsupported action/);
    assert.throws(() => renderTemplate('{{}}', data), TemplateError);
  });
});

describe('parseTemplate', () => {
  it('splits text and actions', () => {
    assert.deepEqual(parseTemplate('a{{.X.Y}}b{{json .}}'), [
      { kind: 'text', text: 'a' },
      { kind: 'action', path: ['X', 'Y'], at: { pos: 3, text: '.X.Y' } },
      { kind: 'text', text: 'b' },
      { kind: 'action', fn: 'json', path: [], at: { pos: 17, text: '.' } },
    ]);
  });

  it('refuses an action that is never closed', () => {
    assert.throws(
      () => parseTemplate('{{.Name'),
      new TemplateError('template parsing error: template: :1: unclosed action'),
    );
    assert.throws(() => parseTemplate('x {{.A}} {{json .B'), /unclosed action/);
  });
});
