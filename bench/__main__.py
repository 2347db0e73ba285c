from bench import portability

portability.main()
