"""Totals from results.tsv / uses.tsv (printed as Markdown fragments)."""
import csv, collections
res = list(csv.DictReader(open('results.tsv'), delimiter='\t'))
import sys
uses = list(csv.DictReader(open('uses.tsv'), delimiter='\t'))
# numpy.bool is missing only in NumPy 1.24-1.26 (`until = "2.0"` in the project's table); --no-bool drops it
if '--no-bool' in sys.argv:
    uses = [u for u in uses if u['removed_name'] != 'numpy.bool']
    for r in res:
        mine = [u for u in uses if (u['name'], u['version'], u['which']) == (r['name'], r['version'], r['which'])]
        r['import_time_unguarded'] = sum(1 for u in mine if u['when'] == 'import time' and u['guarded'] == 'no')
        r['call_time_unguarded'] = sum(1 for u in mine if u['when'] == 'call time' and u['guarded'] == 'no')
        r['guarded'] = sum(1 for u in mine if u['guarded'] == 'yes')
pk = list(csv.DictReader(open('packages.tsv'), delimiter='\t'))
rank = {p['name']: int(p['rank']) for p in pk}
print('packages', len(pk), 'releases', len(res))
for which in ('newest', 'oldest', None):
    rs = [r for r in res if which is None or r['which'] == which]
    imp = sum(1 for r in rs if int(r['import_time_unguarded']) > 0)
    call = sum(1 for r in rs if int(r['call_time_unguarded']) > 0)
    g = sum(1 for r in rs if int(r['guarded']) > 0)
    anyu = sum(1 for r in rs if int(r['import_time_unguarded']) + int(r['call_time_unguarded']) > 0)
    files = sum(int(r['files_scanned']) for r in rs)
    print(which or 'all', 'releases', len(rs), 'files', files, 'imp>=1', imp, 'call>=1', call, 'guarded>=1', g, 'any unguarded', anyu)
tot = collections.Counter((u['when'], u['guarded']) for u in uses)
print('use totals', dict(tot))
byname = collections.Counter(u['removed_name'] for u in uses)
relname = collections.defaultdict(set)
ver = {}
for u in uses:
    relname[u['removed_name']].add((u['name'], u['version']))
    ver[u['removed_name']] = u['removed_in']
print('| removed name | removed in | uses | releases | unguarded import-time uses |')
print('|---|---|---|---|---|')
for n, c in byname.most_common(25):
    ui = sum(1 for u in uses if u['removed_name'] == n and u['when'] == 'import time' and u['guarded'] == 'no')
    print(f'| `{n}` | {ver[n]} | {c} | {len(relname[n])} | {ui} |')
print()
imp = [u for u in uses if u['when'] == 'import time' and u['guarded'] == 'no']
pk_imp = collections.OrderedDict()
for u in sorted(imp, key=lambda u: (rank[u['name']], u['which'] != 'newest', u['file'], int(u['line']))):
    pk_imp.setdefault(u['name'], []).append(u)
print('packages with unguarded import-time uses:', len(pk_imp))
print('| rank | package | release (which) | first use file:line | removed name(s) used at import time | count |')
print('|---|---|---|---|---|---|')
for name, us in pk_imp.items():
    # prefer the newest release if it has one
    rels = collections.OrderedDict()
    for u in us:
        rels.setdefault((u['version'], u['which']), []).append(u)
    for (v, w), ul in rels.items():
        names = ', '.join(f'`{x}`' for x in sorted({x['removed_name'] for x in ul}))
        print(f"| {rank[name]} | {name} | {v} ({w}) | `{ul[0]['file']}:{ul[0]['line']}` (`{ul[0]['text']}`) | {names} | {len(ul)} |")
