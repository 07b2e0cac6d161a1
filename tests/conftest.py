import sys
from pathlib import Path

# Lets test modules import the shared gradient-check cases (tests/cases.py).
sys.path.insert(0, str(Path(__file__).parent))
