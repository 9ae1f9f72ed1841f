#!/usr/bin/env python3
"""Write a large village as data files, for benchmarks against a bare reader and kernel.

    python3 scripts/village-files.py N MEAN_DEGREE SEED OUT_DIR

writes into OUT_DIR:
  households.csv  id,group,resources,threshold   (ids from 1000 up; 30% `landless`;
                  resources uniform in [1, 30); thresholds Normal(0.3, 0.1) clipped
                  to [0, 1], the model's default distribution)
  ties.csv        source,target                   (an Erdos-Renyi graph: N*MEAN_DEGREE/2
                  distinct ties between distinct households, drawn uniformly)
  village.toml    a contagion-only scenario reading both files (economy and organizer
                  off, 30 steps, 3% of households seeded, one timeseries row at the end)

The same arguments give the same files (Python's Mersenne Twister, seeded). Only the
standard library is used. `benches/process.rs` runs it; see docs/performance.md.
"""

import os
import random
import sys


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__)
    n, degree, seed, out = int(argv[1]), float(argv[2]), int(argv[3]), argv[4]
    if n < 2 or degree <= 0 or degree >= n - 1:
        sys.exit("need N >= 2 and 0 < MEAN_DEGREE < N - 1")
    rng = random.Random(seed)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "households.csv"), "w") as f:
        f.write("id,group,resources,threshold\n")
        for i in range(n):
            group = "landless" if rng.random() < 0.3 else "others"
            threshold = min(1.0, max(0.0, rng.gauss(0.3, 0.1)))
            f.write(f"{1000 + i},{group},{rng.uniform(1.0, 30.0):.4f},{threshold:.4f}\n")
    ties = round(n * degree / 2)
    seen = set()
    with open(os.path.join(out, "ties.csv"), "w") as f:
        f.write("source,target\n")
        while len(seen) < ties:
            a, b = rng.randrange(n), rng.randrange(n)
            if a == b:
                continue
            key = (a, b) if a < b else (b, a)
            if key in seen:
                continue
            seen.add(key)
            f.write(f"{1000 + a},{1000 + b}\n")
    with open(os.path.join(out, "village.toml"), "w") as f:
        f.write(
            f"""# Written by scripts/village-files.py {n} {degree} {seed}
[scenario]
name = "village-files"
seed = {seed}
replicates = 1

[time]
steps = 30

[population]
households_csv = "households.csv"
issues = ["land"]

[[population.groups]]
name = "others"
share = 0.7

[[population.groups]]
name = "landless"
share = 0.3
marginalized = true

[network]
model = "edge_list"
path = "ties.csv"

[economy]
enabled = false

[organizer]
enabled = false

[participation]
enabled = true
seed_count = 0
seed_share = 0.03

[output]
record_every = 1000
households = false
groups = false
"""
        )


if __name__ == "__main__":
    main(sys.argv)
