#!/usr/bin/env python3
"""Fails the build when a file in src/ includes a header of its own layer's superiors.

The layers, lowest first (each may include only the layers below it and itself):
  vision, store -> analysis -> media -> review -> widgets -> app (cli beside app)
vision and store sit side by side at the bottom and include neither each other.

Usage: check-layers.py SRC_DIR STAMP_HEADER
Writes STAMP_HEADER (an empty header the layer libraries wait for) only when every include
runs down the list; otherwise prints each offending line and exits 1.
"""
import os
import re
import sys

ORDER = {
    'vision': ['vision'],
    'store': ['store'],
    'analysis': ['vision', 'analysis'],
    'media': ['vision', 'analysis', 'media'],
    'review': ['vision', 'store', 'analysis', 'media', 'review'],
    'widgets': ['vision', 'store', 'analysis', 'media', 'review', 'widgets'],
    'app': ['vision', 'store', 'analysis', 'media', 'review', 'widgets', 'app'],
    'cli': ['vision', 'store', 'analysis', 'media', 'review', 'cli'],
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z]+)/[^"]+"', re.M)


def main():
    src, stamp = sys.argv[1], sys.argv[2]
    bad = []
    for layer in sorted(ORDER):
        folder = os.path.join(src, layer)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith(('.c', '.h', '.cpp')):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding='utf-8', errors='replace') as f:
                text = f.read()
            for match in INCLUDE.finditer(text):
                target = match.group(1)
                if target in ORDER and target not in ORDER[layer]:
                    line = text.count('\n', 0, match.start()) + 1
                    bad.append(f'src/{layer}/{name}:{line}: includes {target}/, above or beside '
                               f'{layer} (it may include {", ".join(ORDER[layer])})')
    if bad:
        print('Layer check failed: an include runs up the layers '
              '(vision, store -> analysis -> media -> review -> widgets -> app, cli):',
              file=sys.stderr)
        for b in bad:
            print('  ' + b, file=sys.stderr)
        return 1
    with open(stamp, 'w') as f:
        f.write('/* Written by build-aux/check-layers.py: every include in src/ runs down the layers. */\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
