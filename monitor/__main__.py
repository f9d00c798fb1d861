from monitor.cli.app import main

main(prog_name="monitor")
