"""The `keras-crnn` command line.

    keras-crnn --version
    keras-crnn info          versions of Python, TensorFlow, Keras, backend, devices
    keras-crnn list          model presets and datasets
    keras-crnn demo          train every preset briefly on the offline digits
"""

import argparse
import json
import sys

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
    from keras_crnn.runtime import quiet_tensorflow_import

    quiet_tensorflow_import()
    from keras_crnn.models import PRESETS

    print("models:")
    for name, preset in PRESETS.items():
        print(f"  {name:18s} {preset['description']}")
    print("datasets:")
    for name in READERS:
        print(f"  {name}")
    return 0


def _demo(args):
    from keras_crnn.runtime import quiet_tensorflow_import

    quiet_tensorflow_import()
    from keras_crnn.demo import run_demo

    run_demo(epochs=args.epochs, seed=args.seed)
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

    listing = commands.add_parser("list", help="model presets and datasets")
    listing.set_defaults(func=_list)

    demo = commands.add_parser("demo", help="train every model preset briefly on offline digits")
    demo.add_argument("--epochs", type=int, default=3, help="epochs per model (default 3)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(func=_demo)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
