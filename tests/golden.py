import sys
print("being written")
sys.exit(1)
