"""The `keras-crnn` command line.

    keras-crnn --version
    keras-crnn info          versions of Python, TensorFlow, Keras, backend, devices
    keras-crnn list          every paper's experiments and models, datasets
    keras-crnn generate DATASET --out DIR [--num N --seq-len T --seed S --force]
    keras-crnn train MODEL --data DIR --out RUN_DIR [--epochs --batch-size --seed --workers N]
    keras-crnn evaluate RUN_DIR|MODEL_FILE --data DIR
    keras-crnn predict MODEL_FILE INPUT --out FILE.npz
    keras-crnn export MODEL_FILE --format saved_model|keras|tflite --out PATH
    keras-crnn reproduce NAME --scale tiny|quick|cpu|paper [--dataset D] [--data-dir DIR]
    keras-crnn demo          CNN vs CRNN on occluded offline digit sequences (~3 min)
"""

import argparse
import json
import os
import sys
from pathlib import Path

import keras_crnn


def _info(args):
    from keras_crnn.runtime import environment_report

    report = environment_report()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for key, value in report.items():
        if isinstance(value, list):
            print(f"{key}:")
            for item in value or ["(none)"]:
                print(f"  {item}")
        else:
            print(f"{key}: {value}")
    return 0


def _list(args):
    from keras_crnn.datasets import READERS
    from keras_crnn.datasets.registry import GENERATORS
    from keras_crnn.runtime import quiet_tensorflow_import

    quiet_tensorflow_import()
    from keras_crnn.experiments import EXPERIMENTS
    from keras_crnn.models import PAPERS, PRESETS

    for paper, title in PAPERS.items():
        print(f"{title} [{paper}]")
        records = [e for e in EXPERIMENTS.values() if e.paper == paper]
        if records:
            print("  experiments (keras-crnn reproduce NAME --scale tiny|quick|cpu|paper):")
        for e in records:
            print(f"    {e.name:26s} {e.title}; datasets: {', '.join(e.datasets)}")
        print("  models (keras-crnn train MODEL, keras_crnn.models.build_model):")
        for preset in (p for p in PRESETS.values() if p.paper == paper):
            print(f"    {preset.name:26s} [{preset.task}] {preset.description}")
    print("datasets (keras-crnn generate NAME):")
    for name in GENERATORS:
        print(f"  {name}")
    print("real-data readers (--dataset NAME --data-dir DIR):")
    for name in READERS:
        print(f"  {name}")
    return 0


def _reproduce(args):
    from keras_crnn.runtime import quiet_tensorflow_import

    quiet_tensorflow_import()
    from keras_crnn.experiments import get_experiment, reproduce, results_name, to_markdown

    table = reproduce(args.name, scale=args.scale, dataset=args.dataset, data_dir=args.data_dir,
                      seed=args.seed, out_dir=args.out, precision=args.precision,
                      weights=args.weights)
    print(to_markdown(table))
    print("\nPaper's findings on these results:\n")
    print("\n".join(get_experiment(args.name).verdicts(table)))
    levels = [r for r in table.rows if r["metric"].startswith("accuracy_level")]
    if levels:
        print("\nAccuracy (%) by occlusion level:\n")
        models = list(dict.fromkeys(r["model"] for r in levels))
        print("| model | " + " | ".join(f"level {i}" for i in range(1, 6)) + " |")
        print("|---|" + "---:|" * 5)
        for m in models:
            values = [f"{r['value']:.1f}" for r in levels if r["model"] == m]
            print(f"| {m} | " + " | ".join(values) + " |")
    humans = table.extras.get("paper_humans")
    if humans:
        column = table.extras["paper_column"]
        print(f"\nPaper's human subjects on {column} (reference): " + ", ".join(
            f"{who} {scores[column]:.2f} %" for who, scores in humans.items()))
    if args.scale in ("tiny", "quick"):
        print(f"\nScale {args.scale}: a smoke check of the whole pipeline (an epoch or two on a "
              "few hundred sequences or series), not a reproduction. The cpu-scale results are "
              "in results/ and the README.")
    if args.out:
        stem = results_name(args.name, args.dataset)
        written = ".json, .md and .png" if (Path(args.out) / f"{stem}.png").exists() \
            else ".json and .md"
        print(f"\nwrote {args.out}/{stem}{written}")
    return 0


def _generate(args):
    from keras_crnn.datasets.registry import generate
    from keras_crnn.datasets.writer import write_shards

    out = args.out
    if os.path.isdir(out) and os.listdir(out) and not args.force:
        print(f"keras-crnn generate: {out} is not empty; pass --force to write into it",
              file=sys.stderr)
        return 2
    arrays, source = generate(args.dataset, args.num, args.seq_len, seed=args.seed)
    manifest = write_shards(out, arrays, shard_size=args.shard_size, force=args.force,
                            source=source)
    shapes = ", ".join(f"{k} {tuple(v['shape'])}" for k, v in manifest["arrays"].items())
    print(f"wrote {len(manifest['shards'])} shard(s) to {out}: {shapes}")
    return 0


def _train(args):
    from keras_crnn import distributed

    if args.cpu_devices is not None and args.strategy != "mirrored":
        raise ValueError(f"--cpu-devices makes the replicas of --strategy mirrored. Received: "
                         f"--cpu-devices {args.cpu_devices} with --strategy {args.strategy}")
    if args.workers < 1:
        raise ValueError(f"--workers must be a positive integer. Received: {args.workers}")
    if args.workers > 1 and args.strategy != "none":
        raise ValueError(f"--workers trains with Keras' DataParallel on JAX, not a tf.distribute "
                         f"strategy. Received: --workers {args.workers} --strategy {args.strategy}")
    if args.workers > 1 and distributed.cluster() is None:
        return _launch_workers(args)
    if args.cpu_devices is not None:
        from keras_crnn.runtime import split_cpu

        split_cpu(args.cpu_devices)
    from keras_crnn.workflow import train

    try:
        train(args.model, args.data, args.out, epochs=args.epochs, batch_size=args.batch_size,
              seed=args.seed, strategy=args.strategy, precision=args.precision,
              workers=args.workers)
    except KeyboardInterrupt:
        print(f"\nkeras-crnn train: interrupted; finished epochs are backed up in "
              f"{args.out}/backup: run the same command again to resume", file=sys.stderr)
        return 130
    if (distributed.cluster() or (1, 0))[1] == 0:
        print(f"wrote {args.out}/model.keras (history in {args.out}/history.csv)")
    return 0


def _launch_workers(args):
    """`keras-crnn train --workers N` on this machine: the same command in N
    processes forming a cluster (keras_crnn.distributed)."""
    from keras_crnn import distributed

    command = [sys.executable, "-m", "keras_crnn.cli", "train", args.model, "--data", args.data,
               "--out", args.out, "--epochs", str(args.epochs), "--batch-size",
               str(args.batch_size), "--seed", str(args.seed), "--precision", args.precision,
               "--workers", str(args.workers)]
    Path(args.out).mkdir(parents=True, exist_ok=True)
    code = distributed.launch(command, args.workers, log_dir=Path(args.out) / "logs")
    if code:
        print(f"keras-crnn train: a worker failed (see {args.out}/logs/worker-*.log); finished "
              f"epochs are backed up in {args.out}/backup: run the same command again to resume",
              file=sys.stderr)
        return code if code > 0 else 1
    return 0


def _evaluate(args):
    from keras_crnn.workflow import evaluate

    result = evaluate(args.model, args.data)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print("| metric | value |\n|---|---:|")
        for key, value in result.items():
            print(f"| {key} | {value:.2f} |" if isinstance(value, float) else f"| {key} | {value} |")
    return 0


def _predict(args):
    from keras_crnn.workflow import predict

    print(f"wrote {predict(args.model, args.input, args.out)}")
    return 0


def _export(args):
    from keras_crnn.workflow import export

    path, note = export(args.model, args.out, format=args.format)
    print(f"wrote {path}: {note}")
    return 0


def _demo(args):
    from keras_crnn.runtime import quiet_tensorflow_import

    quiet_tensorflow_import()
    from keras_crnn.experiments.occlusion import DEMO, PAPER_TABLE1, demo

    print(f"CNN vs CRNN on occluded patterned digit sequences (offline digits, seed "
          f"{args.seed}): {DEMO['train_images']} training images, early stopping "
          f"(patience {DEMO['patience']}, at most {DEMO['epochs']} epochs)\n")
    result = demo(seed=args.seed)
    print(f"\nData: {result['source']}\n")
    print("| model | accuracy % (± s.e.) | paper (MNIST) | epochs (best) |")
    print("|---|---:|---:|---:|")
    for name in ("CNN", "CRNN"):
        r = result[name]
        print(f"| {name} | {r['accuracy']:.2f} ± {r['stderr']:.2f} | {PAPER_TABLE1['MNIST'][name]} "
              f"| {r['epochs']} ({r['best_epoch']}) |")
    paper_gap = PAPER_TABLE1["MNIST"]["CRNN"] - PAPER_TABLE1["MNIST"]["CNN"]
    print(f"\nCRNN - CNN: {result['gap']:+.2f} points on {r['frames']} test frames "
          f"(paper {paper_gap:+.2f} on MNIST). The recurrence uses the sequence's label "
          "pattern to read occluded frames. Six models, real data and the other tables: "
          "`keras-crnn reproduce occlusion-table1 ...` (README).")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(
        prog="keras-crnn",
        description="Convolutional recurrent neural networks for Keras 3.",
    )
    parser.add_argument("--version", action="version", version=f"keras-crnn {keras_crnn.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    info = commands.add_parser("info", help="versions of Python, TensorFlow, Keras and devices")
    info.add_argument("--json", action="store_true", help="print JSON instead of text")
    info.set_defaults(func=_info)

    listing = commands.add_parser("list", help="every paper's experiments and models, datasets")
    listing.set_defaults(func=_list)

    from keras_crnn.datasets.registry import GENERATORS
    from keras_crnn.experiments.record import SCALES
    from keras_crnn.precision import PRECISIONS

    gen = commands.add_parser("generate", help="write a generated dataset as .npz shards")
    gen.add_argument("dataset", choices=sorted(GENERATORS))
    gen.add_argument("--out", required=True, help="output folder")
    gen.add_argument("--num", type=int, default=1000, help="sequences (default 1000)")
    gen.add_argument("--seq-len", type=int, default=10,
                     help="frames per sequence (default 10; a multiple of 5, or 6 for letters)")
    gen.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    gen.add_argument("--shard-size", type=int, default=500, help="sequences per shard")
    gen.add_argument("--force", action="store_true", help="write into a non-empty folder")
    gen.set_defaults(func=_generate)

    fit = commands.add_parser("train", help="train a model preset on a generated dataset "
                              "(resumes when run again after an interruption)")
    fit.add_argument("model", help="a preset, e.g. CRNN (see `keras-crnn list`)")
    fit.add_argument("--data", required=True, help="folder written by `keras-crnn generate`")
    fit.add_argument("--out", required=True, help="run folder (checkpoints, logs, model)")
    fit.add_argument("--epochs", type=int, default=10)
    fit.add_argument("--batch-size", type=int, default=32)
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--strategy", choices=("none", "mirrored"), default="none",
                     help="tf.distribute: mirrored (this machine's GPUs, or --cpu-devices "
                          "logical CPUs); --batch-size is the global batch")
    fit.add_argument("--cpu-devices", type=int, default=None, metavar="N",
                     help="split the CPU into N logical devices (replicas of --strategy "
                          "mirrored on a machine without GPUs)")
    fit.add_argument("--precision", choices=PRECISIONS, default="float32",
                     help="mixed_bfloat16: compute in bfloat16, weights and outputs float32")
    fit.add_argument("--workers", type=int, default=1, metavar="N",
                     help="train data-parallel in N processes (Keras' DataParallel on JAX): "
                          "started here on 127.0.0.1, or this process joins the cluster set "
                          "by KERAS_DISTRIBUTION_* (see keras_crnn.distributed); --batch-size "
                          "is the global batch")
    fit.set_defaults(func=_train)

    ev = commands.add_parser("evaluate", help="accuracy of a trained classifier on a dataset")
    ev.add_argument("model", help="run folder or .keras file")
    ev.add_argument("--data", required=True, help="folder written by `keras-crnn generate`")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.set_defaults(func=_evaluate)

    pr = commands.add_parser("predict", help="per-frame labels for the frames of a file")
    pr.add_argument("model", help="run folder or .keras file")
    pr.add_argument("input", help=".npz with `frames`, or a dataset folder")
    pr.add_argument("--out", required=True, help="output .npz (labels, scores)")
    pr.set_defaults(func=_predict)

    ex = commands.add_parser("export", help="SavedModel, .keras or TFLite")
    ex.add_argument("model", help="run folder or .keras file")
    ex.add_argument("--format", choices=("saved_model", "keras", "tflite"),
                    default="saved_model")
    ex.add_argument("--out", required=True, help="new path to write")
    ex.set_defaults(func=_export)

    repro = commands.add_parser("reproduce", help="reproduce a paper table")
    repro.add_argument("name", help="experiment, e.g. occlusion-table1 (see `keras-crnn list`)")
    repro.add_argument("--scale", choices=SCALES, default="quick",
                       help="tiny (tests), quick (smoke check), cpu (2-core CPU: the committed "
                            "results) or paper (GPU)")
    repro.add_argument("--dataset", default=None,
                       help="the experiment's data (default its offline one; `keras-crnn list` "
                            "shows each experiment's datasets)")
    repro.add_argument("--data-dir", default=None, help="folder of the real dataset's files")
    repro.add_argument("--weights", default=None,
                       help="a pretrained frame encoder's weights file (genre-table1: "
                            "mobilenet_2_5_224_tf_no_top.h5, ImageNet MobileNet 0.25); nothing "
                            "is downloaded")
    repro.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    repro.add_argument("--out", default="results", help="results folder (default results/)")
    repro.add_argument("--precision", choices=PRECISIONS, default="float32",
                       help="mixed_bfloat16: compute in bfloat16 (recorded in the results)")
    repro.set_defaults(func=_reproduce)

    demo = commands.add_parser("demo", help="CNN vs CRNN on occluded offline digit sequences")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(func=_demo)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, FileExistsError) as error:
        # Bad input: one clear line, no traceback; nothing half-written remains.
        print(f"keras-crnn {args.command}: error: {error}", file=sys.stderr)
        return 2


def entry():
    """The `keras-crnn` console script: `main` in a process whose malloc is tuned
    for tensors (`runtime.restart_with_tuned_malloc`)."""
    from keras_crnn.runtime import restart_with_tuned_malloc

    restart_with_tuned_malloc()
    sys.exit(main())


if __name__ == "__main__":
    entry()
