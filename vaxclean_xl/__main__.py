from vaxclean_xl.cli import main

raise SystemExit(main())
