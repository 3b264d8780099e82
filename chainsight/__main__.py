"""``python -m chainsight``: the same command line as the ``chainsight`` script."""

from chainsight.cli import main

if __name__ == "__main__":
    main()
