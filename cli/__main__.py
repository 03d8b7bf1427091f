from framelens.cli.app import main

main()
