"""L-system pine generation speed (issue 4 target: >= 64 series/s, so that the
paper's 3847 series take well under a minute)."""

import time

TITLE = "L-system pine generator"


def run(count=400):
    from keras_crnn.datasets.lsystem import pine_series

    pine_series(4, seed=1)  # warm caches
    start = time.perf_counter()
    pine_series(count, seed=0)
    rate = count / (time.perf_counter() - start)
    return {"title": TITLE, "markdown": (
        f"{count} series of 5 ages (10-30 years), 32x16x3, one process: "
        f"**{rate:.0f} series/s** (target >= 64: {'met' if rate >= 64 else 'NOT met'}); "
        f"the paper's 3847 series take about {3847 / rate:.0f} s."
    )}


if __name__ == "__main__":
    print(run()["markdown"])
