from framelens.cli.entry import main

main()
