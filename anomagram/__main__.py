import sys

from anomagram.cli import main

sys.exit(main())
