from sandbox_provider.server import main

raise SystemExit(main())
