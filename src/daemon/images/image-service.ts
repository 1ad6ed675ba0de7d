import type { Readable } from 'node:stream';
import type { HistoryEntry } from '../../core/images/image-config.js';
import { conflict, invalidArgument } from '../../core/errors.js';
import {
  checkFilterKeys,
  matchesLabels,
  matchesPruneLabels,
  pruneCutoff,
  type FilterArgs,
} from '../../core/filters.js';
import {
  familiarString,
  formatReference,
  parseReference,
  repositoryName,
} from '../../core/images/reference.js';
import type { Progress } from '../../core/progress.js';
import type {
  HistoryItem,
  ImageEntry,
  ImportOptions,
  PruneResult,
  RemovalItem,
} from '../../core/images/image-views.js';
import { ImageStore } from './image-store.js';
import { commitImage, type CommitImageOptions } from './commit.js';
import { importImage } from './import.js';
import { loadImages } from './load.js';
import { resolveSaveItems, saveImages } from './save.js';

const LIST_FILTERS = ['dangling', 'label', 'reference', 'before', 'since'];
const PRUNE_FILTERS = ['dangling', 'label', 'label!', 'until'];

function createdSeconds(entry: ImageEntry): number {
  const ms = Date.parse(entry.config.created ?? '');
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Glob match of the `reference` filter: `*` and `?` match within one path component. */
function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  return re.test(text);
}

function boolFilter(values: readonly string[] | undefined, name: string): boolean | undefined {
  if (!values || values.length === 0) return undefined;
  const v = values[0]?.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidArgument(`Invalid filter '${name}=${values[0]}'`);
}

/** The images jobs: list, inspect, history, tag, remove, prune, load, save, import, commit. */
export class ImageService {
  /** `containersUsing`: the containers created from an image (they keep it from deletion). */
  constructor(
    private readonly store: ImageStore,
    private readonly containersUsing: (imageId: string) => readonly string[] = () => [],
  ) {}

  get index(): ImageStore['index'] {
    return this.store.index;
  }

  get driverName(): string {
    return this.store.layers.driverName;
  }

  /** GraphDriver.Data of an image: its top layer's, as Docker shows it. */
  graphDriverData(entry: ImageEntry): Record<string, string> | null {
    const top = entry.layers.at(-1);
    return top ? this.store.layers.driverData(top) : null;
  }

  resolve(name: string): ImageEntry {
    return this.store.index.resolve(name).entry;
  }

  count(): number {
    return this.store.index.all().length;
  }

  /** `isDangling`: no tag and no digest reference. */
  static dangling(entry: ImageEntry): boolean {
    return entry.refs.length === 0;
  }

  /** With a `reference` filter, each entry's refs are only the names that match. */
  list(options: { all: boolean; filters: FilterArgs }): ImageEntry[] {
    const { filters } = options;
    checkFilterKeys(filters, LIST_FILTERS);
    const dangling = boolFilter(filters.get('dangling'), 'dangling');
    const bound = (key: string): number | undefined => {
      const v = filters.get(key)?.[0];
      return v === undefined ? undefined : createdSeconds(this.resolve(v));
    };
    const before = bound('before');
    const since = bound('since');
    const parents = new Set(this.store.index.all().map((e) => e.record.parent));
    const references = filters.get('reference') ?? [];
    const matches = (ref: string): boolean => {
      const name = familiarString(parseReference(ref, { defaultTag: null }));
      const repo = name.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
      return references.some((pattern) => globMatch(pattern, name) || globMatch(pattern, repo));
    };
    return (
      this.store.index
        .all()
        .filter((e) => {
          if (!options.all && ImageService.dangling(e) && parents.has(e.id)) return false;
          if (dangling !== undefined && ImageService.dangling(e) !== dangling) return false;
          if (!matchesLabels(filters.get('label'), e.config.config?.Labels ?? {})) return false;
          if (before !== undefined && createdSeconds(e) >= before) return false;
          if (since !== undefined && createdSeconds(e) <= since) return false;
          return references.length === 0 || e.refs.some(matches);
        })
        // Only the matching names are listed, as Docker lists them.
        .map((e) => (references.length > 0 ? { ...e, refs: e.refs.filter(matches) } : e))
        .sort((a, b) => createdSeconds(b) - createdSeconds(a) || a.id.localeCompare(b.id))
    );
  }

  history(name: string): HistoryItem[] {
    const entry = this.resolve(name);
    const history: HistoryEntry[] = entry.config.history ?? entry.layers.map(() => ({}));
    let layerIndex = 0;
    const rows = history.map((h) => {
      const empty = h.empty_layer === true;
      const layer = empty ? undefined : entry.layers[layerIndex++];
      const ms = Date.parse(h.created ?? '');
      return {
        id: '<missing>',
        created: Number.isNaN(ms) ? 0 : Math.floor(ms / 1000),
        createdBy: h.created_by ?? '',
        tags: [] as string[],
        size: layer?.size ?? 0,
        comment: h.comment ?? '',
      };
    });
    rows.reverse();
    const top = rows[0];
    if (top) {
      top.id = entry.id;
      top.tags = ImageStore.familiarTags(entry);
    }
    return rows;
  }

  async tag(name: string, repo: string, tag: string): Promise<void> {
    const entry = this.resolve(name);
    if (repo === '') throw invalidArgument('repository name must have at least one component');
    const ref = parseReference(tag ? `${repo}:${tag}` : repo);
    if (ref.digest !== undefined)
      throw invalidArgument('refusing to create a tag with a digest reference');
    const full = formatReference(ref);
    this.store.records.setRef(full, entry.id);
    await this.store.index.refresh();
    this.store.events.publish({
      type: 'image',
      action: 'tag',
      actor: { id: entry.id, attributes: { name: familiarString(ref) } },
    });
  }

  /** `docker rmi`: untag, and delete when no reference is left (or by ID). */
  async remove(
    name: string,
    options: { force: boolean; noPrune: boolean },
  ): Promise<RemovalItem[]> {
    const { entry, byReference } = this.store.index.resolve(name);
    const out: RemovalItem[] = [];
    const untag = (ref: string): void => {
      this.store.records.deleteRef(ref);
      const familiar = familiarString(parseReference(ref, { defaultTag: null }));
      out.push({ untagged: familiar });
      this.store.events.publish({
        type: 'image',
        action: 'untag',
        // Docker names the image, not the tag, in an untag event.
        actor: { id: entry.id, attributes: { name: entry.id } },
      });
    };
    if (byReference !== undefined && entry.refs.length > 1) {
      untag(byReference);
      // The last tag of a repository takes that repository's digest references with it.
      const repo = repositoryName(parseReference(byReference, { defaultTag: null }));
      const sameRepo = entry.refs.filter(
        (r) =>
          r !== byReference && repositoryName(parseReference(r, { defaultTag: null })) === repo,
      );
      if (!byReference.includes('@') && sameRepo.every((r) => r.includes('@'))) {
        for (const r of sameRepo) untag(r);
      }
      await this.store.index.refresh();
      const left = this.store.index.get(entry.id);
      if (left && left.refs.length > 0) return out;
      if (left) return [...out, ...(await this.remove(entry.id, options))];
      return out;
    }
    const children = this.store.index.children(entry.id);
    if (children.length > 0) {
      throw conflict(
        `conflict: unable to delete ${entry.id.slice(7, 19)} (cannot be forced) - image has dependent child images`,
      );
    }
    const users = this.containersUsing(entry.id);
    if (users.length > 0) {
      const container = (users[0] as string).slice(0, 12);
      if (!options.force) {
        throw conflict(
          byReference !== undefined
            ? `conflict: unable to remove repository reference "${name}" (must force) - container ${container} is using its referenced image ${entry.id.slice(7, 19)}`
            : `conflict: unable to delete ${entry.id.slice(7, 19)} (must be forced) - image is being used by stopped container ${container}`,
        );
      }
      // Forced: the references go, the image stays for its containers (as Docker does).
      for (const ref of entry.refs) untag(ref);
      await this.store.index.refresh();
      return out;
    }
    const repos = new Set(
      entry.refs.map((r) => repositoryName(parseReference(r, { defaultTag: null }))),
    );
    if (byReference === undefined && repos.size > 1 && !options.force) {
      throw conflict(
        `conflict: unable to delete ${entry.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
      );
    }
    for (const ref of entry.refs) untag(ref);
    const layers = await this.store.deleteImage(entry);
    // As Docker lists them: the image, then each layer that went with it.
    out.push({ deleted: entry.id }, ...layers.map((chainId) => ({ deleted: chainId })));
    this.store.events.publish({
      type: 'image',
      action: 'delete',
      actor: { id: entry.id, attributes: { name: entry.id } },
    });
    if (!options.noPrune && entry.record.parent) {
      const parent = this.store.index.get(entry.record.parent);
      if (parent && parent.refs.length === 0 && this.store.index.children(parent.id).length === 0) {
        out.push(...(await this.remove(parent.id, { force: false, noPrune: false })));
      }
    }
    return out;
  }

  async prune(filters: FilterArgs): Promise<PruneResult> {
    checkFilterKeys(filters, PRUNE_FILTERS);
    const danglingOnly = boolFilter(filters.get('dangling'), 'dangling') ?? true;
    const cutoff = pruneCutoff(filters);
    const until = cutoff === undefined ? undefined : cutoff / 1000;
    const removed: RemovalItem[] = [];
    let spaceReclaimed = 0;
    const candidates = this.store.index.all().filter((e) => {
      if (danglingOnly && !ImageService.dangling(e)) return false;
      if (this.containersUsing(e.id).length > 0) return false;
      if (!matchesPruneLabels(filters, e.config.config?.Labels ?? {})) return false;
      if (until !== undefined && createdSeconds(e) >= until) return false;
      return true;
    });
    for (const entry of candidates) {
      if (!this.store.index.get(entry.id) || this.store.index.children(entry.id).length > 0)
        continue;
      const before = this.layersSize();
      removed.push(...(await this.remove(entry.id, { force: true, noPrune: false })));
      spaceReclaimed += before - this.layersSize();
    }
    return { removed, spaceReclaimed };
  }

  /** Bytes of all stored layers (`system df` LayersSize). */
  layersSize(): number {
    return this.store.index.layers().reduce((sum, l) => sum + l.size, 0);
  }

  /** Bytes an image shares with other images (layers they also use). */
  sharedSize(entry: ImageEntry): number {
    const others = new Set<string>();
    for (const e of this.store.index.all()) {
      if (e.id !== entry.id) for (const l of e.layers) others.add(l.chainId);
    }
    return entry.layers.filter((l) => others.has(l.chainId)).reduce((sum, l) => sum + l.size, 0);
  }

  load(source: Readable, signal?: AbortSignal): AsyncGenerator<Progress> {
    return loadImages(this.store, source, signal);
  }

  /** Resolves every name first (a missing one is a 404 before any byte is sent). */
  save(names: readonly string[], signal?: AbortSignal): Readable {
    if (names.length === 0) throw invalidArgument('no image names given');
    const items = resolveSaveItems(this.store, names);
    const stream = saveImages(this.store, items, signal);
    for (const { entry } of items) {
      this.store.events.publish({
        type: 'image',
        action: 'save',
        actor: { id: entry.id, attributes: { name: entry.id } },
      });
    }
    return stream;
  }

  import(source: Readable, options: ImportOptions): AsyncGenerator<Progress, ImageEntry> {
    return importImage(this.store, source, options);
  }

  /** `docker commit`'s image: `layer` (a container's diff tar) on top of `options.parent`. */
  commit(layer: Readable, options: CommitImageOptions): Promise<ImageEntry> {
    return commitImage(this.store, layer, options);
  }
}
