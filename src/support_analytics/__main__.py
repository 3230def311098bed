from support_analytics.cli.app import main

main()
